package io.infernet.server;

import static io.infernet.server.ErrorsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

    private static final String KEY = "sk-test-0123456789";
    private static final String CHAT = "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";

    @Test
    void withAKeyEveryRouteButHealthNeedsIt() {
        try (ApiHarness api = new ApiHarness(ServerConfig.defaults().withPort(0).withApiKey(KEY))) {
            for (String path : new String[] {"/v1/models", "/metrics"}) {
                assertError(api.get(path), 401, "invalid_request_error", null, "invalid_api_key");
                assertEquals(200, api.get(path, "Authorization", "Bearer " + KEY).statusCode(), path);
            }
            HttpResponse<String> res = api.post("/v1/chat/completions", CHAT);
            assertError(res, 401, "invalid_request_error", null, "invalid_api_key");
            assertEquals("Bearer", res.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals(0, api.engine.requests.size(), "nothing reaches the engine");

            res = api.post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-wrong");
            assertError(res, 401, "invalid_request_error", null, "invalid_api_key");
            assertFalse(res.body().contains("sk-wrong"), "the offered key is not echoed");
            assertFalse(res.body().contains(KEY), "the real key is never shown");
            assertError(api.post("/v1/chat/completions", CHAT, "Authorization", "Basic " + KEY), 401, "invalid_request_error", null, "invalid_api_key");
            assertError(api.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + KEY + "x"), 401, "invalid_request_error", null, "invalid_api_key");

            assertEquals(200, api.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + KEY).statusCode());
            assertEquals(200, api.post("/v1/chat/completions", CHAT, "Authorization", "bearer " + KEY).statusCode(), "scheme is case-insensitive");
            assertEquals(200, api.get("/health").statusCode(), "health needs no key");
            // Unknown routes answer 401 first, like OpenAI, so they reveal nothing to strangers.
            assertError(api.get("/v1/nothing"), 401, "invalid_request_error", null, "invalid_api_key");
        }
    }

    @Test
    void withoutAKeyNothingIsChecked() {
        try (ApiHarness api = new ApiHarness()) {
            assertEquals(200, api.post("/v1/chat/completions", CHAT).statusCode());
            assertEquals(200, api.post("/v1/chat/completions", CHAT, "Authorization", "Bearer anything").statusCode());
        }
    }

    @Test
    void theKeyNeverShowsInTheConfigsText() {
        ServerConfig cfg = ServerConfig.defaults().withApiKey(KEY);
        assertFalse(cfg.toString().contains(KEY), cfg.toString());
    }
}
