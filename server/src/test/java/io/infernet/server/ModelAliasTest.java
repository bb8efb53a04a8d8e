package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --model-alias} and {@code --accept-any-model}: the list, the answers' model field on every
 * generation route (chat, the Responses API, /apply-template), embeddings.
 */
class ModelAliasTest {

    private static String chat(String model, boolean stream) {
        return "{\"model\": \"" + model + "\", \"stream\": " + stream + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
    }

    @Test
    void anAliasIsListedAndAnsweredUnderItsOwnName() {
        try (ApiHarness api = new ApiHarness(EdgeConfig.defaults().withModelAliases(List.of("gpt-4o", "gpt-4o-mini"), false))) {
            JsonNode list = ApiHarness.json(api.get("/v1/models").body()).get("data");
            List<String> ids = new ArrayList<>();
            list.forEach(m -> ids.add(m.get("id").asText()));
            assertEquals(List.of(FakeEngine.MODEL, FakeEngine.CHAT_ONLY_MODEL, "gpt-4o", "gpt-4o-mini"), ids);
            assertEquals(200, api.get("/v1/models/gpt-4o").statusCode());

            JsonNode whole = ApiHarness.json(api.post("/v1/chat/completions", chat("gpt-4o", false)).body());
            assertEquals("gpt-4o", whole.get("model").asText());
            assertNull(api.engine.lastRequest().model(), "the engine is asked for its default model");
            for (JsonNode c : ApiHarness.sseChunks(api.post("/v1/chat/completions", chat("gpt-4o-mini", true)))) {
                assertEquals("gpt-4o-mini", c.get("model").asText());
            }
            HttpResponse<String> emb = api.post("/v1/embeddings", "{\"model\": \"gpt-4o\", \"input\": \"hi\"}");
            assertEquals("gpt-4o", ApiHarness.json(emb.body()).get("model").asText());

            // The engine's own names still work as before; others are still 404.
            assertEquals(FakeEngine.CHAT_ONLY_MODEL,
                    ApiHarness.json(api.post("/v1/chat/completions", chat(FakeEngine.CHAT_ONLY_MODEL, false)).body()).get("model").asText());
            HttpResponse<String> unknown = api.post("/v1/chat/completions", chat("claude-3", false));
            assertEquals(404, unknown.statusCode());
        }
    }

    @Test
    void anAliasWorksOnTheResponsesApiAndApplyTemplate() {
        try (ApiHarness api = new ApiHarness(EdgeConfig.defaults().withModelAliases(List.of("gpt-4o"), false))) {
            HttpResponse<String> whole = api.post("/v1/responses", "{\"model\": \"gpt-4o\", \"input\": \"hi\"}");
            assertEquals(200, whole.statusCode(), whole.body());
            assertEquals("gpt-4o", ApiHarness.json(whole.body()).get("model").asText());
            assertNull(api.engine.lastRequest().model(), "the engine is asked for its default model");

            HttpResponse<String> streamed = api.post("/v1/responses", "{\"model\": \"gpt-4o\", \"input\": \"hi\", \"stream\": true}");
            assertEquals(200, streamed.statusCode(), streamed.body());
            int responses = 0;
            for (String block : streamed.body().split("\n\n")) {
                JsonNode data = ApiHarness.json(block.substring(block.indexOf("data: ") + 6));
                if (data.has("response")) { // response.created, response.in_progress, response.completed
                    assertEquals("gpt-4o", data.get("response").get("model").asText(), data.toString());
                    responses++;
                }
            }
            assertEquals(3, responses, streamed.body());

            HttpResponse<String> template = api.post("/apply-template", "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"hi\"}]}");
            assertEquals(200, template.statusCode(), template.body());
            assertEquals("user: hi\nassistant:", ApiHarness.json(template.body()).get("prompt").asText());
            assertNull(api.engine.lastRequest().model(), "the engine renders its default model's template");

            assertEquals(404, api.post("/v1/responses", "{\"model\": \"claude-3\", \"input\": \"hi\"}").statusCode());
            assertEquals(404, api.post("/apply-template", "{\"model\": \"claude-3\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}").statusCode());
        }
    }

    @Test
    void acceptAnyModelAnswersEveryNameWithTheDefaultModel() {
        try (ApiHarness api = new ApiHarness(EdgeConfig.defaults().withModelAliases(List.of(), true))) {
            HttpResponse<String> r = api.post("/v1/chat/completions", chat("gpt-4o-2024-08-06", false));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("gpt-4o-2024-08-06", ApiHarness.json(r.body()).get("model").asText());
            assertNull(api.engine.lastRequest().model());
            assertTrue(ApiHarness.json(api.post("/v1/chat/completions", chat(FakeEngine.CHAT_ONLY_MODEL, false)).body())
                    .get("model").asText().equals(FakeEngine.CHAT_ONLY_MODEL), "a served name keeps its own model");
        }
    }
}
