package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * Every limit over raw sockets, each with its 4xx and OpenAI's error shape, the cheap ones before
 * any work: request line 414, headers 431, body 413 (by Content-Length, and by what the served
 * context can hold), JSON nesting 400, non-JSON bodies 415, client-sized parameters 400 with
 * their param. Afterwards the server is healthy, and nothing the client sent as a secret is in
 * any log record, at any level.
 */
class LimitsTest {

    private static final String SECRET = "sk-do-not-log-4b1d";
    private static final Duration CLOSE = Duration.ofSeconds(10);

    /** One raw request's answer: status code and the error object. */
    private static JsonNode answer(ApiHarness api, String request, int status) throws Exception {
        try (RawSocket s = new RawSocket(api.server.port())) {
            String raw = s.send(request).readUntilClosed(CLOSE, "the answer to a request over a limit");
            assertTrue(raw.startsWith("HTTP/1.1 " + status + " "), raw);
            JsonNode body = ApiHarness.json(raw.substring(raw.indexOf("\r\n\r\n") + 4));
            assertTrue(body.get("error").get("message").asText().length() > 10, raw);
            return body.get("error");
        }
    }

    private static String post(String path, String contentType, String body, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + extraHeaders + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    @Test
    void aLongRequestLineIs414() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            JsonNode e = answer(api, "GET /v1/models?key=" + SECRET + "&pad=" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
            assertEquals("uri_too_long", e.get("code").asText());
            assertEquals(200, api.get("/health").statusCode());
        }
    }

    @Test
    void largeHeadersAre431() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            JsonNode e = answer(api, "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + SECRET + "\r\nX-Big: "
                    + "b".repeat(20_000) + "\r\n\r\n", 431);
            assertEquals("request_header_fields_too_large", e.get("code").asText());
        }
    }

    @Test
    void aBodyOverTheLimitIs413BeforeItIsRead() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            // Only the head is sent: the answer comes without waiting for 17 MiB.
            JsonNode e = answer(api, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + (17L << 20) + "\r\n\r\n", 413);
            assertEquals("request_too_large", e.get("code").asText());
            assertTrue(e.get("message").asText().contains(Long.toString(ServerConfig.DEFAULT_MAX_BODY_BYTES)), e.toString());
        }
    }

    @Test
    void aChatBodyLargerThanTheContextCanHoldIs413BeforeItIsParsed() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            // The fake serves 4096-token contexts: 4096 x 64 + 64 KiB = 327,680 bytes at most; this is 1 MB.
            // Only the head is sent: the answer comes from its Content-Length, before any of the body is read.
            JsonNode e = answer(api, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000\r\n\r\n", 413);
            assertTrue(e.get("message").asText().contains("context of 4096 tokens"), e.toString());
            assertTrue(api.engine.requests.isEmpty(), "nothing reached the engine");
            // Under the bound, the same shape of request is served (the fake counts words, so this is one token).
            String fits = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "y".repeat(300_000) + "\"}]}";
            assertEquals(200, api.post("/v1/chat/completions", fits).statusCode());
        }
    }

    @Test
    void onlyJsonBodiesAreParsed() throws Exception {
        String chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
        try (ApiHarness api = new ApiHarness()) {
            for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null}) {
                JsonNode e = answer(api, post("/v1/chat/completions", type, chat, ""), 415);
                assertEquals("unsupported_media_type", e.get("code").asText(), String.valueOf(type));
            }
            assertTrue(api.engine.requests.isEmpty(), "no non-JSON body reached the engine");
            for (String type : new String[] {"application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"}) {
                try (RawSocket s = new RawSocket(api.server.port())) {
                    String raw = s.send(post("/v1/chat/completions", type, chat, "")).readUntilClosed(CLOSE, type);
                    assertTrue(raw.startsWith("HTTP/1.1 200"), type + ": " + raw);
                }
            }
        }
    }

    /** Every route that reaches the engine, with a body it serves. */
    private static final Map<String, String> GENERATION_ROUTES = Map.of(
            "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
            "/v1/completions", "{\"prompt\": \"hi\"}",
            "/v1/responses", "{\"input\": \"hi\"}",
            "/apply-template", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

    @Test
    void everyGenerationRouteParsesOnlyJsonAndIsBoundedByTheContext() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            for (Map.Entry<String, String> route : GENERATION_ROUTES.entrySet()) {
                String path = route.getKey();
                JsonNode e = answer(api, post(path, "text/plain", route.getValue(), ""), 415);
                assertEquals("unsupported_media_type", e.get("code").asText(), path);
                JsonNode big = answer(api, "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n", 413);
                assertTrue(big.get("message").asText().contains("context of 4096 tokens"), path + ": " + big);
            }
            assertTrue(api.engine.requests.isEmpty(), "no refused body reached the engine");
            for (Map.Entry<String, String> route : GENERATION_ROUTES.entrySet()) {
                HttpResponse<String> r = api.post(route.getKey(), route.getValue());
                assertEquals(200, r.statusCode(), route.getKey() + ": " + r.body());
            }
        }
    }

    @Test
    void jsonNestedDeeperThan64LevelsIs400() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            String deep = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"x\": " + "[".repeat(70) + "]".repeat(70) + "}";
            HttpResponse<String> r = api.post("/v1/chat/completions", deep);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("deeper than 64 levels"), r.body());
            String shallow = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"x\": " + "[".repeat(60) + "]".repeat(60) + "}";
            assertEquals(200, api.post("/v1/chat/completions", shallow).statusCode());
        }
    }

    @Test
    void clientSizedParametersAreBoundedWithTheirParam() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            String base = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
            record Case(String field, String param) {}
            for (Case c : List.of(
                    new Case("\"n\": 1000000", "n"),
                    new Case("\"top_logprobs\": 1000", "top_logprobs"),
                    new Case("\"stop\": [\"" + "s".repeat(2000) + "\"]", "stop"),
                    new Case("\"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]", "stop"),
                    new Case("\"repeat_last_n\": -2", "repeat_last_n"))) {
                HttpResponse<String> r = api.post("/v1/chat/completions", "{" + base + ", " + c.field() + "}");
                assertEquals(400, r.statusCode(), c.field() + ": " + r.body());
                assertEquals(c.param(), ApiHarness.json(r.body()).get("error").get("param").asText(), r.body());
            }
            assertEquals(200, api.get("/health").statusCode());
        }
    }

    @Test
    void nothingAClientSentAsASecretIsLogged() throws Exception {
        List<LogRecord> records;
        try (LogCapture capture = new LogCapture(Level.ALL);
             ApiHarness api = new ApiHarness(new FakeEngine(), ServerConfig.defaults().withPort(0).withApiKey("the-real-key"))) {
            records = capture.records;
            String auth = "Authorization: Bearer " + SECRET + "\r\n";
            answer(api, "GET /v1/models HTTP/1.1\r\nHost: x\r\n" + auth + "X-Big: " + "b".repeat(20_000) + "\r\n\r\n", 431);
            answer(api, "GET /v1/models?api_key=" + SECRET + "&p=" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
            answer(api, "GET /v1/models HTTP/1.1\r\nHost: x\r\n" + auth + "Bad\u0001Header: " + SECRET + "\r\n\r\n", 400);
            answer(api, post("/v1/chat/completions", "application/json", "{\"messages\": [{\"content\": \"" + SECRET + "\"}]}", auth), 401);
            answer(api, post("/v1/chat/completions", "application/json", "{bad json " + SECRET, "Authorization: Bearer the-real-key\r\n"), 400);
            answer(api, post("/v1/chat/completions", "text/plain", SECRET, "Authorization: Bearer the-real-key\r\n"), 415);
            try (RawSocket s = new RawSocket(api.server.port())) { // an upload cut short
                s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: 9999\r\n\r\n{\"x\": \""
                        + SECRET);
            }
            assertEquals(200, api.get("/health").statusCode());
        }
        assertFalse(records.isEmpty(), "the capture saw Helidon's debug records at least");
        for (LogRecord r : records) {
            String text = LogCapture.text(r);
            assertFalse(text.contains(SECRET), "a log record carries what the client sent: " + text);
        }
    }
}
