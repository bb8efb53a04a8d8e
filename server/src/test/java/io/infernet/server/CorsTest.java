package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Browsers: preflights answered without the key for allowed origins, CORS headers on every
 * answer to them (errors included), other sites' pages refused before anything is read, and
 * clients that send no Origin unaffected.
 */
class CorsTest {

    private static final String PAGE = "http://localhost:5173";
    private static final String CHAT = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    private static final String KEY = "k-123";

    private static ApiHarness server(List<String> origins) {
        return new ApiHarness(new FakeEngine(), ServerConfig.defaults().withPort(0).withApiKey(KEY),
                EdgeConfig.defaults().withCorsOrigins(origins));
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutTheKey() {
        try (ApiHarness api = server(List.of(PAGE))) {
            HttpResponse<String> r = api.send("OPTIONS", "/v1/chat/completions", null, "Origin", PAGE,
                    "Access-Control-Request-Method", "POST",
                    "Access-Control-Request-Headers", "authorization,content-type,x-stainless-os,x-stainless-retry-count,x-evil");
            assertEquals(204, r.statusCode(), r.body());
            assertEquals(PAGE, r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            String allowed = r.headers().firstValue("Access-Control-Allow-Headers").orElse("");
            assertEquals("authorization, content-type, x-stainless-os, x-stainless-retry-count", allowed, "x-evil is not granted");
            assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
            assertEquals("600", r.headers().firstValue("Access-Control-Max-Age").orElse(""));
            assertTrue(r.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Origin")));
            assertTrue(api.engine.requests.isEmpty());
        }
    }

    @Test
    void anAllowedOriginGetsCorsHeadersOnAnswersAndOnErrors() {
        try (ApiHarness api = server(List.of(PAGE))) {
            HttpResponse<String> unauthorized = api.post("/v1/chat/completions", CHAT, "Origin", PAGE);
            assertEquals(401, unauthorized.statusCode());
            assertEquals(PAGE, unauthorized.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                    "a page must be able to read why it was refused");
            HttpResponse<String> ok = api.post("/v1/chat/completions", CHAT, "Origin", PAGE, "Authorization", "Bearer " + KEY);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(PAGE, ok.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertTrue(ok.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("Retry-After"));
            HttpResponse<String> stream = api.post("/v1/chat/completions", CHAT.replace("{", "{\"stream\": true, "), "Origin", PAGE,
                    "Authorization", "Bearer " + KEY);
            assertEquals(PAGE, stream.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            ApiHarness.sseChunks(stream);
        }
    }

    @Test
    void anotherSitesPageIsRefusedBeforeAnythingIsRead() {
        try (ApiHarness api = new ApiHarness()) { // no --cors-origin, no key: a local node as most run it
            // A "simple" request: no preflight is made for it, so only the server can stop it.
            HttpResponse<String> simple = api.send("POST", "/v1/chat/completions", CHAT, "Origin", "https://evil.example",
                    "Content-Type", "text/plain");
            assertEquals(403, simple.statusCode(), simple.body());
            assertEquals("origin_not_allowed", ApiHarness.json(simple.body()).get("error").get("code").asText());
            assertTrue(simple.body().contains("--cors-origin https://evil.example"), simple.body());
            assertFalse(simple.headers().firstValue("Access-Control-Allow-Origin").isPresent());
            HttpResponse<String> preflight = api.send("OPTIONS", "/v1/chat/completions", null, "Origin", "https://evil.example",
                    "Access-Control-Request-Method", "POST");
            assertEquals(403, preflight.statusCode());
            assertTrue(api.engine.requests.isEmpty(), "nothing reached the engine");
            // Without an Origin (curl, SDKs, servers) nothing changes.
            assertEquals(200, api.post("/v1/chat/completions", CHAT).statusCode());
            // A page of this server itself is not cross-site.
            assertEquals(200, api.post("/v1/chat/completions", CHAT, "Origin", api.base).statusCode());
        }
    }

    @Test
    void starAllowsAnyOrigin() {
        try (ApiHarness api = server(List.of("*"))) {
            HttpResponse<String> r = api.send("OPTIONS", "/v1/models", null, "Origin", "https://any.example",
                    "Access-Control-Request-Method", "GET");
            assertEquals(204, r.statusCode());
            assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        }
    }

    @Test
    void originsAreCheckedWhenConfigured() {
        for (String bad : List.of("localhost:3000", "http://localhost:3000/", "http://localhost:3000/app", "https://", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EdgeConfig.defaults().withCorsOrigins(List.of(bad)), bad);
            assertTrue(e.getMessage().contains("--cors-origin"), e.getMessage());
        }
        EdgeConfig.defaults().withCorsOrigins(List.of("http://localhost:3000", "https://app.example.com", "*"));
    }
}
