package io.infernet.server;

import static io.infernet.server.ApiHarness.json;
import static io.infernet.server.ErrorsTest.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ModelsEmbeddingsHealthTest {

    @AutoClose
    private static final ApiHarness api = new ApiHarness();

    @Test
    void modelsListInOpenAiFormat() {
        HttpResponse<String> res = api.get("/v1/models");
        assertEquals(200, res.statusCode());
        JsonNode r = json(res.body());
        assertEquals("list", r.get("object").asText());
        assertEquals(2, r.get("data").size());
        JsonNode m = r.get("data").get(0);
        assertEquals(FakeEngine.MODEL, m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertTrue(m.get("created").isIntegralNumber() && m.get("created").asLong() > 1_600_000_000L);
        assertEquals(FakeEngine.KIND, m.get("owned_by").asText());
        assertEquals(FakeEngine.CHAT_ONLY_MODEL, r.get("data").get(1).get("id").asText());
    }

    @Test
    void oneModelByIdIncludingSlashes() {
        List<ModelInfo> before = api.engine.models;
        api.engine.models = List.of(new ModelInfo("org/name-7B", "fake", 0, false));
        try {
            JsonNode m = json(api.get("/v1/models/org/name-7B").body());
            assertEquals("org/name-7B", m.get("id").asText());
            assertEquals("model", m.get("object").asText());
            assertError(api.get("/v1/models/nope"), 404, "invalid_request_error", "model", "model_not_found");
        } finally {
            api.engine.models = before;
        }
    }

    @Test
    void embeddingsOfOneAndManyInputs() {
        JsonNode r = json(api.post("/v1/embeddings", "{\"model\": \"fake-model\", \"input\": \"hello\"}").body());
        assertEquals("list", r.get("object").asText());
        assertEquals(FakeEngine.MODEL, r.get("model").asText());
        assertEquals(1, r.get("data").size());
        JsonNode d = r.get("data").get(0);
        assertEquals("embedding", d.get("object").asText());
        assertEquals(0, d.get("index").asInt());
        assertArrayEquals(FakeEngine.vector("hello"), floats(d.get("embedding")));
        assertTrue(r.get("usage").has("prompt_tokens") && r.get("usage").has("total_tokens"));

        r = json(api.post("/v1/embeddings", "{\"input\": [\"a\", \"bb\", \"ccc\"]}").body());
        assertEquals(FakeEngine.MODEL, r.get("model").asText(), "the default embedding model");
        assertEquals(3, r.get("data").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, r.get("data").get(i).get("index").asInt());
            assertArrayEquals(FakeEngine.vector(List.of("a", "bb", "ccc").get(i)), floats(r.get("data").get(i).get("embedding")));
        }
    }

    @Test
    void embeddingsAsBase64LittleEndianFloats() {
        JsonNode r = json(api.post("/v1/embeddings", "{\"input\": \"hello\", \"encoding_format\": \"base64\"}").body());
        byte[] bytes = Base64.getDecoder().decode(r.get("data").get(0).get("embedding").asText());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        assertArrayEquals(FakeEngine.vector("hello"), v);
    }

    @Test
    void embeddingsErrors() {
        assertError(api.post("/v1/embeddings", "{}"), 400, "invalid_request_error", "input", "missing_required_parameter");
        assertError(api.post("/v1/embeddings", "{\"input\": \"\"}"), 400, "invalid_request_error", "input", "invalid_value");
        assertError(api.post("/v1/embeddings", "{\"input\": []}"), 400, "invalid_request_error", "input", "invalid_value");
        assertError(api.post("/v1/embeddings", "{\"input\": [[1, 2]]}"), 400, "invalid_request_error", "input", "unsupported_parameter");
        assertError(api.post("/v1/embeddings", "{\"input\": \"x\", \"encoding_format\": \"hex\"}"), 400, "invalid_request_error", "encoding_format", "invalid_value");
        assertError(api.post("/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 3}"), 400, "invalid_request_error", "dimensions", "unsupported_parameter");
        assertError(api.post("/v1/embeddings", "{\"input\": \"x\", \"model\": \"nope\"}"), 404, "invalid_request_error", "model", "model_not_found");
        assertError(api.post("/v1/embeddings", "{\"input\": \"x\", \"model\": \"fake-chat-only\"}"), 400, "invalid_request_error", "model", "unsupported");
    }

    @Test
    void healthFollowsTheEngine() {
        HttpResponse<String> res = api.get("/health");
        assertEquals(200, res.statusCode());
        assertEquals("{\"status\":\"ok\"}", res.body());
        api.engine.health = Health.down("model not loaded yet", Duration.ofMillis(3));
        try {
            res = api.get("/health");
            assertEquals(503, res.statusCode());
            JsonNode r = json(res.body());
            assertEquals("unavailable", r.get("status").asText());
            assertEquals("model not loaded yet", r.get("detail").asText());
        } finally {
            api.engine.health = Health.up("ok", Duration.ZERO);
        }
    }

    private static float[] floats(JsonNode arr) {
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).floatValue();
        }
        return v;
    }
}
