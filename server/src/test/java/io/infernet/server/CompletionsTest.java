package io.infernet.server;

import static io.infernet.server.ApiHarness.json;
import static io.infernet.server.ApiHarness.sseChunks;
import static io.infernet.server.ErrorsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.GenerationRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class CompletionsTest {

    @AutoClose
    private static final ApiHarness api = new ApiHarness();

    @Test
    void nonStreamedTextCompletion() {
        HttpResponse<String> res = api.post("/v1/completions", """
                {"model": "fake-model", "prompt": "Once upon a time", "seed": 4, "max_tokens": 20}""");
        assertEquals(200, res.statusCode(), res.body());
        JsonNode r = json(res.body());
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", r.get("object").asText());
        assertEquals(FakeEngine.MODEL, r.get("model").asText());
        JsonNode choice = r.get("choices").get(0);
        GenerationRequest sent = api.engine.lastRequest();
        assertFalse(sent.isChat());
        assertEquals("Once upon a time", sent.prompt());
        assertEquals(String.join("", FakeEngine.script(sent, 12)), choice.get("text").asText());
        assertEquals(0, choice.get("index").asInt());
        assertTrue(choice.has("logprobs") && choice.get("logprobs").isNull());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(4, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(12, r.get("usage").get("completion_tokens").asInt());
        assertEquals(16, r.get("usage").get("total_tokens").asInt());
    }

    @Test
    void promptAsAnArrayOfOneString() {
        assertEquals(200, api.post("/v1/completions", "{\"prompt\": [\"just one\"]}").statusCode());
        assertEquals("just one", api.engine.lastRequest().prompt());
        assertError(api.post("/v1/completions", "{\"prompt\": [\"a\", \"b\"]}"), 400, "invalid_request_error", "prompt", "unsupported_parameter");
        assertError(api.post("/v1/completions", "{\"prompt\": [1, 2, 3]}"), 400, "invalid_request_error", "prompt", "unsupported_parameter");
        assertError(api.post("/v1/completions", "{\"prompt\": []}"), 400, "invalid_request_error", "prompt", "invalid_value");
        assertError(api.post("/v1/completions", "{}"), 400, "invalid_request_error", "prompt", "missing_required_parameter");
        assertError(api.post("/v1/completions", "{\"prompt\": \"x\", \"echo\": true}"), 400, "invalid_request_error", "echo", "unsupported_parameter");
        assertError(api.post("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 21}"), 400, "invalid_request_error", "logprobs", "invalid_value");
        assertError(api.post("/v1/completions", "{\"prompt\": \"x\", \"best_of\": 3}"), 400, "invalid_request_error", "best_of", "unsupported_parameter");
        assertError(api.post("/v1/completions", "{\"prompt\": \"x\", \"suffix\": \"end\"}"), 400, "invalid_request_error", "suffix", "unsupported_parameter");
    }

    @Test
    void streamedChunksConcatenateToTheWholeText() {
        String whole = json(api.post("/v1/completions", "{\"prompt\": \"abc def\", \"seed\": 8}").body())
                .get("choices").get(0).get("text").asText();
        List<JsonNode> chunks = sseChunks(api.post("/v1/completions",
                "{\"prompt\": \"abc def\", \"seed\": 8, \"stream\": true, \"stream_options\": {\"include_usage\": true}}"));
        StringBuilder text = new StringBuilder();
        String id = chunks.getFirst().get("id").asText();
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertEquals(id, c.get("id").asText());
            assertEquals("text_completion", c.get("object").asText());
            assertTrue(c.get("usage").isNull());
            JsonNode choice = c.get("choices").get(0);
            assertTrue(choice.get("logprobs").isNull());
            text.append(choice.get("text").asText());
        }
        assertEquals(whole, text.toString());
        assertEquals("stop", chunks.get(chunks.size() - 2).get("choices").get(0).get("finish_reason").asText());
        JsonNode usage = chunks.getLast();
        assertEquals(0, usage.get("choices").size());
        assertEquals(2, usage.get("usage").get("prompt_tokens").asInt());
        assertEquals(14, usage.get("usage").get("total_tokens").asInt());
        assertNull(chunks.getFirst().get("choices").get(0).get("delta"), "no chat deltas in text completions");
    }
}
