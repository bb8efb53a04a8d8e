package io.infernet.server;

import static io.infernet.server.ApiHarness.chatText;
import static io.infernet.server.ApiHarness.json;
import static io.infernet.server.ApiHarness.sseChunks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.GenerationRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsTest {

    @AutoClose
    private static final ApiHarness api = new ApiHarness();

    @BeforeEach
    void reset() {
        api.engine.scriptTokens = 12;
    }

    private static String body(long seed, String extra) {
        return """
                {"model": "fake-model", "seed": %d, "messages": [
                  {"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "Tell me about the fox"}]%s}
                """.formatted(seed, extra.isEmpty() ? "" : ", " + extra);
    }

    @Test
    void nonStreamedAnswerHasOpenAiShapeAndUsage() {
        HttpResponse<String> res = api.post("/v1/chat/completions", body(7, ""));
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode r = json(res.body());
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"), r.toString());
        assertEquals("chat.completion", r.get("object").asText());
        assertTrue(r.get("created").isIntegralNumber());
        assertEquals(FakeEngine.MODEL, r.get("model").asText());
        assertEquals(1, r.get("choices").size());
        JsonNode choice = r.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("stop", choice.get("finish_reason").asText());

        GenerationRequest sent = api.engine.lastRequest();
        String expected = String.join("", FakeEngine.script(sent, 12));
        assertEquals(expected, choice.get("message").get("content").asText());

        JsonNode usage = r.get("usage");
        int prompt = FakeEngine.promptTokens(sent);
        assertEquals(prompt, usage.get("prompt_tokens").asInt());
        assertEquals(12, usage.get("completion_tokens").asInt());
        assertEquals(prompt + 12, usage.get("total_tokens").asInt());
    }

    @Test
    void streamedChunksConcatenateToTheNonStreamedText() {
        for (long seed : new long[] {1, 2, 3, 42}) {
            String whole = json(api.post("/v1/chat/completions", body(seed, "")).body())
                    .get("choices").get(0).get("message").get("content").asText();
            List<JsonNode> chunks = sseChunks(api.post("/v1/chat/completions", body(seed, "\"stream\": true")));
            assertEquals(whole, chatText(chunks), "seed " + seed);
        }
    }

    @Test
    void streamHasOpenAiChunkFormat() {
        List<JsonNode> chunks = sseChunks(api.post("/v1/chat/completions", body(5, "\"stream\": true")));
        assertTrue(chunks.size() >= 3, chunks.toString());
        String id = chunks.getFirst().get("id").asText();
        assertTrue(id.startsWith("chatcmpl-"));
        for (JsonNode c : chunks) {
            assertEquals(id, c.get("id").asText(), "one id for the whole stream");
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals(FakeEngine.MODEL, c.get("model").asText());
            assertTrue(c.get("created").isIntegralNumber());
            assertFalse(c.has("usage"), "no usage field without include_usage");
            assertEquals(1, c.get("choices").size());
            assertEquals(0, c.get("choices").get(0).get("index").asInt());
        }
        JsonNode first = chunks.getFirst().get("choices").get(0);
        assertEquals("assistant", first.get("delta").get("role").asText());
        assertTrue(first.get("finish_reason").isNull());
        for (JsonNode c : chunks.subList(1, chunks.size() - 1)) {
            JsonNode choice = c.get("choices").get(0);
            assertFalse(choice.get("delta").has("role"));
            assertFalse(choice.get("delta").get("content").asText().isEmpty(), "no empty content chunks");
            assertTrue(choice.get("finish_reason").isNull());
        }
        JsonNode last = chunks.getLast().get("choices").get(0);
        assertEquals("stop", last.get("finish_reason").asText());
        assertEquals(0, last.get("delta").size(), "the final chunk's delta is empty");
    }

    @Test
    void includeUsageAddsAFinalChunkWithUsageAndNoChoices() {
        List<JsonNode> chunks = sseChunks(api.post("/v1/chat/completions",
                body(9, "\"stream\": true, \"stream_options\": {\"include_usage\": true}")));
        JsonNode usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.get("choices").size());
        GenerationRequest sent = api.engine.lastRequest();
        int prompt = FakeEngine.promptTokens(sent);
        assertEquals(prompt, usageChunk.get("usage").get("prompt_tokens").asInt());
        assertEquals(12, usageChunk.get("usage").get("completion_tokens").asInt());
        assertEquals(prompt + 12, usageChunk.get("usage").get("total_tokens").asInt());
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(c.get("usage").isNull(), "usage is null on every other chunk: " + c);
        }
        assertEquals("stop", chunks.get(chunks.size() - 2).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void maxTokensEndsWithLength() {
        JsonNode r = json(api.post("/v1/chat/completions", body(3, "\"max_tokens\": 4")).body());
        assertEquals("length", r.get("choices").get(0).get("finish_reason").asText());
        assertEquals(4, r.get("usage").get("completion_tokens").asInt());
        List<JsonNode> chunks = sseChunks(api.post("/v1/chat/completions", body(3, "\"max_tokens\": 4, \"stream\": true")));
        assertEquals("length", chunks.getLast().get("choices").get(0).get("finish_reason").asText());
        assertEquals(r.get("choices").get(0).get("message").get("content").asText(), chatText(chunks));
    }

    @Test
    void stopStringsReachTheEngineAndNeverTheClient() {
        // Find a piece that seed 11 produces in the middle and stop on it.
        String first = json(api.post("/v1/chat/completions", body(11, "")).body()).get("choices").get(0).get("message").get("content").asText();
        List<String> pieces = FakeEngine.script(api.engine.lastRequest(), 12);
        String stop = pieces.get(5).strip().isEmpty() ? pieces.get(5) : pieces.get(5).strip();
        int cut = first.indexOf(stop);
        String stopJson = Json.MAPPER.getNodeFactory().textNode(stop).toString();

        JsonNode r = json(api.post("/v1/chat/completions", body(11, "\"stop\": [" + stopJson + ", \"never-happens\"]")).body());
        assertEquals(List.of(stop, "never-happens"), api.engine.lastRequest().stop());
        assertEquals(first.substring(0, cut), r.get("choices").get(0).get("message").get("content").asText());
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());

        List<JsonNode> chunks = sseChunks(api.post("/v1/chat/completions", body(11, "\"stream\": true, \"stop\": " + stopJson)));
        assertEquals(first.substring(0, cut), chatText(chunks));
    }

    @Test
    void eightConcurrentStreamsAllCompleteWellFormed() throws Exception {
        api.engine.tokenDelayMillis = 2;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<JsonNode>>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String b = body(100 + i, "\"stream\": true, \"stream_options\": {\"include_usage\": true}");
                futures.add(pool.submit(() -> sseChunks(api.post("/v1/chat/completions", b))));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                List<JsonNode> chunks = futures.get(i).get();
                String id = chunks.getFirst().get("id").asText();
                ids.add(id);
                chunks.forEach(c -> assertEquals(id, c.get("id").asText()));
                assertEquals("stop", chunks.get(chunks.size() - 2).get("choices").get(0).get("finish_reason").asText());
                JsonNode usage = chunks.getLast().get("usage");
                assertEquals(12, usage.get("completion_tokens").asInt());
                assertEquals(usage.get("prompt_tokens").asInt() + 12, usage.get("total_tokens").asInt());
            }
            assertEquals(8, ids.stream().distinct().count(), "distinct ids");
        } finally {
            api.engine.tokenDelayMillis = 0;
        }
    }

    @Test
    void eachConcurrentStreamCarriesItsOwnText() throws Exception {
        api.engine.tokenDelayMillis = 1;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> streamed = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String b = body(200 + i, "\"stream\": true");
                streamed.add(pool.submit(() -> chatText(sseChunks(api.post("/v1/chat/completions", b)))));
            }
            for (int i = 0; i < 8; i++) {
                String whole = json(api.post("/v1/chat/completions", body(200 + i, "")).body())
                        .get("choices").get(0).get("message").get("content").asText();
                assertEquals(whole, streamed.get(i).get(), "seed " + (200 + i));
            }
        } finally {
            api.engine.tokenDelayMillis = 0;
        }
    }

    @Test
    void omittedOrEmptyModelMeansTheDefault() {
        HttpResponse<String> res = api.post("/v1/chat/completions", """
                {"messages": [{"role": "user", "content": "hi"}]}""");
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(null, api.engine.lastRequest().model());
        assertEquals(FakeEngine.MODEL, json(res.body()).get("model").asText(), "the model the engine used");
        res = api.post("/v1/chat/completions", """
                {"model": "", "messages": [{"role": "user", "content": "hi"}]}""");
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(null, api.engine.lastRequest().model());
    }

    @Test
    void contentPartsAndDeveloperRoleAreAccepted() {
        HttpResponse<String> res = api.post("/v1/chat/completions", """
                {"messages": [
                  {"role": "developer", "content": "Be brief."},
                  {"role": "user", "content": [{"type": "text", "text": "line one"}, {"type": "text", "text": "line two"}]},
                  {"role": "assistant", "content": null},
                  {"role": "user", "content": "go on", "name": "ignored-field"}]}""");
        assertEquals(200, res.statusCode(), res.body());
        var msgs = api.engine.lastRequest().messages();
        assertEquals("system", msgs.get(0).role());
        assertEquals("line one\nline two", msgs.get(1).content());
        assertEquals("", msgs.get(2).content());
        assertEquals("go on", msgs.get(3).content());
    }
}
