package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.infernet.runtime.serve.ServeConfig;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Structured output, log-probabilities and several choices over HTTP on loopback, on the in-process
 * engine and a generated random-weight model: the wire shapes OpenAI's clients read, streamed and
 * whole, and the guarantees (outputs that validate, streamed equal to whole).
 */
@Tag("native")
class DecodingApiTest {
    static InProcessApiTest.Served s;

    @BeforeAll
    static void start() {
        s = InProcessApiTest.Served.start(ServeConfig.defaults().withThreads(1).withParallel(4).withKvCells(4096).withBatchSize(128));
    }

    @AfterAll
    static void stop() {
        s.close();
    }

    static final String SCHEMA = """
            {"type":"object","properties":{"title":{"type":"string","maxLength":24},"year":{"type":"integer","minimum":1900,"maximum":2100},
             "genres":{"type":"array","items":{"enum":["drama","comedy","horror"]},"minItems":1,"maxItems":2},"rating":{"type":["number","null"]}},
             "required":["title","year","genres","rating"],"additionalProperties":false}""";

    private static String chat(String extra) {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"Name a film\"}]" + extra + "}";
    }

    static JsonNode ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return ApiHarness.json(r.body());
    }

    /** {@code text} is JSON that validates against {@code schema} (formats asserted). */
    static void assertValid(String schema, String text) throws Exception {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        assertEquals(Set.of(), JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config)
                .validate(Json.MAPPER.readTree(text)), text);
    }

    @Test
    void jsonSchemaAnswersValidateWholeAndStreamed() throws Exception {
        String format = ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"film\",\"strict\":true,\"schema\":" + SCHEMA + "}}";
        for (int seed = 0; seed < 6; seed++) {
            String sampling = ",\"temperature\":1.5,\"seed\":" + seed + ",\"max_tokens\":150";
            JsonNode whole = ok(s.post("/v1/chat/completions", chat(format + sampling)));
            String text = whole.at("/choices/0/message/content").asText();
            assertValid(SCHEMA, text);
            assertEquals("stop", whole.at("/choices/0/finish_reason").asText());
            List<JsonNode> chunks = ApiHarness.sseChunks(s.post("/v1/chat/completions", chat(format + sampling + ",\"stream\":true")));
            assertEquals(text, ApiHarness.chatText(chunks), "streamed, the same answer");
        }
        JsonNode completion = ok(s.post("/v1/completions", "{\"prompt\":\"JSON:\",\"max_tokens\":40,\"seed\":1,\"temperature\":1.5,"
                + "\"response_format\":{\"type\":\"json_object\"}}"));
        assertTrue(Json.MAPPER.readTree(completion.at("/choices/0/text").asText()).isObject(), completion.toString());
    }

    @Test
    void anUnsupportedSchemaKeywordIs400NamingIt() throws Exception {
        HttpResponse<String> r = s.post("/v1/chat/completions", chat(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
                + "\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"if\":{\"type\":\"string\"}}}}}}"));
        assertEquals(400, r.statusCode(), r.body());
        JsonNode err = ApiHarness.json(r.body()).get("error");
        assertEquals("response_format", err.get("param").asText());
        assertTrue(err.get("message").asText().contains("unsupported JSON schema keyword \"if\" at #/properties/a"), err.toString());
    }

    /** The content entries of every chunk of choice {@code index}, in order. */
    private static ArrayNode streamedLogprobs(List<JsonNode> chunks, int index, String field) {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (JsonNode c : chunks) {
            for (JsonNode choice : c.path("choices")) {
                if (choice.get("index").asInt() == index && choice.path("logprobs").isObject()) {
                    choice.get("logprobs").get(field).forEach(all::add);
                }
            }
        }
        return all;
    }

    /**
     * The same JSON, numbers within 1e-3: the second request of a pair reuses the first one's
     * prompt from the cache, and its last prompt token is then computed in a batch of another size,
     * which moves log-probabilities in the sixth digit (as in llama-server with its prompt cache).
     * The tokens, their bytes and the order of the alternatives must still agree exactly.
     */
    private static void assertSameUpToCacheNoise(JsonNode expected, JsonNode actual, String what) {
        if (expected.isFloatingPointNumber() && actual.isNumber()) {
            assertEquals(expected.asDouble(), actual.asDouble(), 1e-3, what + ": " + expected + " against " + actual);
            return;
        }
        assertEquals(expected.getNodeType(), actual.getNodeType(), what + ": " + expected + " against " + actual);
        assertEquals(expected.size(), actual.size(), what + ": " + expected + " against " + actual);
        if (expected.isValueNode()) {
            assertEquals(expected, actual, what);
        } else if (expected.isArray()) {
            for (int i = 0; i < expected.size(); i++) {
                assertSameUpToCacheNoise(expected.get(i), actual.get(i), what);
            }
        } else {
            expected.fieldNames().forEachRemaining(f -> {
                assertTrue(actual.has(f), what + ": no " + f + " in " + actual);
                assertSameUpToCacheNoise(expected.get(f), actual.get(f), what);
            });
        }
    }

    @Test
    void chatLogprobsStreamedEqualWholeAndAreSorted() throws Exception {
        String body = ",\"logprobs\":true,\"top_logprobs\":3,\"max_tokens\":12,\"seed\":5,\"temperature\":0.8";
        JsonNode whole = ok(s.post("/v1/chat/completions", chat(body)));
        JsonNode content = whole.at("/choices/0/logprobs/content");
        assertEquals(12, content.size());
        StringBuilder text = new StringBuilder();
        for (JsonNode t : content) {
            assertTrue(t.get("logprob").asDouble() <= 0);
            JsonNode top = t.get("top_logprobs");
            assertEquals(3, top.size());
            assertTrue(top.get(0).get("logprob").asDouble() >= top.get(1).get("logprob").asDouble()
                    && top.get(1).get("logprob").asDouble() >= top.get(2).get("logprob").asDouble(), t.toString());
            assertTrue(t.get("logprob").asDouble() <= top.get(0).get("logprob").asDouble() + 1e-6);
            assertTrue(t.get("bytes").isArray());
            text.append(t.get("token").asText());
        }
        assertEquals(whole.at("/choices/0/message/content").asText(), text.toString(), "the tokens spell the answer");
        List<JsonNode> chunks = ApiHarness.sseChunks(s.post("/v1/chat/completions", chat(body + ",\"stream\":true")));
        assertSameUpToCacheNoise(content, streamedLogprobs(chunks, 0, "content"), "streamed, the same log-probabilities");
    }

    @Test
    void completionLogprobsInTheLegacyShape() throws Exception {
        String body = "{\"prompt\":\"Once upon\",\"max_tokens\":6,\"seed\":2,\"logprobs\":2";
        JsonNode whole = ok(s.post("/v1/completions", body + "}"));
        JsonNode lp = whole.at("/choices/0/logprobs");
        assertEquals(6, lp.get("tokens").size());
        assertEquals(6, lp.get("token_logprobs").size());
        assertEquals(6, lp.get("text_offset").size());
        assertEquals(0, lp.get("text_offset").get(0).asInt());
        assertTrue(lp.get("top_logprobs").get(0).size() >= 1 && lp.get("top_logprobs").get(0).size() <= 2);
        List<JsonNode> chunks = ApiHarness.sseChunks(s.post("/v1/completions", body + ",\"stream\":true}"));
        assertSameUpToCacheNoise(lp.get("token_logprobs"), streamedLogprobs(chunks, 0, "token_logprobs"), "streamed, the same log-probabilities");
        assertEquals(lp.get("text_offset"), streamedLogprobs(chunks, 0, "text_offset"));
    }

    @Test
    void severalChoicesWholeAndStreamed() throws Exception {
        String body = ",\"n\":3,\"max_tokens\":7,\"seed\":9,\"temperature\":1.2";
        JsonNode whole = ok(s.post("/v1/chat/completions", chat(body)));
        JsonNode choices = whole.get("choices");
        assertEquals(3, choices.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            assertEquals("length", choices.get(i).get("finish_reason").asText());
        }
        assertEquals(21, whole.at("/usage/completion_tokens").asInt(), "usage counts every choice");
        List<JsonNode> chunks = ApiHarness.sseChunks(s.post("/v1/chat/completions", chat(body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")));
        List<String> texts = new ArrayList<>(List.of("", "", ""));
        int finishes = 0;
        for (JsonNode c : chunks) {
            for (JsonNode ch : c.path("choices")) {
                int i = ch.get("index").asInt();
                texts.set(i, texts.get(i) + ch.path("delta").path("content").asText(""));
                if (!ch.get("finish_reason").isNull()) {
                    finishes++;
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(choices.get(i).at("/message/content").asText(), texts.get(i), "choice " + i + ": the same seeds, the same text");
        }
        assertEquals(3, finishes);
        assertEquals(21, chunks.getLast().at("/usage/completion_tokens").asInt());
        JsonNode greedy = ok(s.post("/v1/chat/completions", chat(",\"n\":4,\"max_tokens\":6,\"temperature\":0")));
        for (JsonNode c : greedy.get("choices")) {
            assertEquals(greedy.at("/choices/0/message/content"), c.at("/message/content"), "greedy choices are identical");
        }
    }
}
