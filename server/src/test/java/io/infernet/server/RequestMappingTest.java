package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.GenerationRequest;
import io.infernet.kernels.SamplingParams;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request fields land in GenerationRequest/SamplingParams exactly; defaults are OpenAI's. */
class RequestMappingTest {

    private static final ServerConfig CFG = ServerConfig.defaults();

    private static ObjectNode body(String json) {
        return Json.parseObject(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void everySamplingParameterIsMapped() {
        var parsed = RequestParser.chat(body("""
                {"model": "m", "messages": [{"role": "user", "content": "hi"}],
                 "temperature": 0.7, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "seed": -12345678901,
                 "presence_penalty": 0.5, "frequency_penalty": -0.25, "repeat_penalty": 1.1, "repeat_last_n": -1,
                 "logit_bias": {"15": 2.5, "7": -100, "0": 100},
                 "max_tokens": 99, "stop": ["\\n\\n", "END"], "user": "u-1", "n": 1}"""), CFG);
        GenerationRequest r = parsed.request();
        assertEquals("m", r.model());
        assertEquals(List.of(new ChatMessage("user", "hi")), r.messages());
        assertNull(r.prompt());
        assertEquals(99, r.maxTokens());
        assertEquals(List.of("\n\n", "END"), r.stop());
        SamplingParams s = r.sampling();
        assertEquals(new SamplingParams(0.7f, 40, 0.9f, 0.05f, 1.1f, -1, -0.25f, 0.5f,
                Map.of(15, 2.5f, 7, Float.NEGATIVE_INFINITY, 0, 100f), -12345678901L), s);
        assertFalse(parsed.stream());
        assertFalse(parsed.includeUsage());
    }

    @Test
    void defaultsAreOpenAis() {
        var parsed = RequestParser.chat(body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), CFG);
        GenerationRequest r = parsed.request();
        assertNull(r.model(), "no model: the engine's default");
        assertEquals(ServerConfig.UNTIL_CONTEXT_FULL, r.maxTokens(), "no cap: until the context is full");
        assertEquals(List.of(), r.stop());
        SamplingParams s = r.sampling();
        assertEquals(1f, s.temperature());
        assertEquals(1f, s.topP());
        assertEquals(0, s.topK());
        assertEquals(0f, s.minP());
        assertEquals(1f, s.repeatPenalty());
        assertEquals(RequestParser.DEFAULT_PENALTY_LAST_N, s.penaltyLastN());
        assertEquals(0f, s.presencePenalty());
        assertEquals(0f, s.frequencyPenalty());
        assertEquals(Map.of(), s.logitBias());
        var again = RequestParser.chat(body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"), CFG);
        assertNotEquals(s.seed(), again.request().sampling().seed(), "an unset seed is drawn per request");
    }

    @Test
    void configuredDefaultCapAppliesOnlyWhenUnset() {
        ServerConfig capped = CFG.withDefaultMaxTokens(256);
        assertEquals(256, RequestParser.chat(body("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), capped).request().maxTokens());
        assertEquals(1000, RequestParser.chat(body("{\"max_tokens\": 1000, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), capped).request().maxTokens());
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        var r = RequestParser.chat(body("{\"max_tokens\": 10, \"max_completion_tokens\": 20, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertEquals(20, r.request().maxTokens());
        r = RequestParser.chat(body("{\"max_completion_tokens\": 30, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertEquals(30, r.request().maxTokens());
    }

    @Test
    void stopAsOneStringAndNullsAsAbsent() {
        var r = RequestParser.chat(body("{\"stop\": \"###\", \"temperature\": null, \"seed\": 5, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertEquals(List.of("###"), r.request().stop());
        assertEquals(1f, r.request().sampling().temperature());
    }

    @Test
    void topPZeroKeepsOnlyTheMostLikelyToken() {
        var r = RequestParser.chat(body("{\"top_p\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertEquals(Float.MIN_VALUE, r.request().sampling().topP());
        r = RequestParser.chat(body("{\"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertTrue(r.request().sampling().isGreedy());
    }

    @Test
    void streamOptions() {
        var r = RequestParser.chat(body("{\"stream\": true, \"stream_options\": {\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        r = RequestParser.chat(body("{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}"), CFG);
        assertTrue(r.stream());
        assertFalse(r.includeUsage());
    }

    @Test
    void completionMapsPromptAndSampling() {
        var r = RequestParser.completion(body("{\"model\": \"m\", \"prompt\": \"Hello\", \"temperature\": 0, \"max_tokens\": 7, \"stop\": \"x\"}"), CFG).request();
        assertFalse(r.isChat());
        assertEquals("Hello", r.prompt());
        assertEquals(7, r.maxTokens());
        assertEquals(0f, r.sampling().temperature());
        assertEquals(List.of("x"), r.stop());
    }

    @Test
    void whatTheEngineReceivesOverHttpIsWhatWasSent() {
        try (ApiHarness api = new ApiHarness()) {
            assertEquals(200, api.post("/v1/chat/completions", """
                    {"model": "fake-model", "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
                     "temperature": 0.2, "top_p": 0.5, "top_k": 3, "min_p": 0.1, "seed": 77, "presence_penalty": 1,
                     "frequency_penalty": 1.5, "logit_bias": {"3": -100}, "max_completion_tokens": 5, "stop": "zz"}""").statusCode());
            GenerationRequest r = api.engine.lastRequest();
            assertEquals(new GenerationRequest("fake-model",
                    List.of(new ChatMessage("system", "s"), new ChatMessage("user", "u")), null,
                    new SamplingParams(0.2f, 3, 0.5f, 0.1f, 1f, RequestParser.DEFAULT_PENALTY_LAST_N, 1.5f, 1f,
                            Map.of(3, Float.NEGATIVE_INFINITY), 77L),
                    5, List.of("zz")), r);
        }
    }

    @Test
    void decodingFieldsAreMapped() {
        var chat = RequestParser.chat(body("""
                {"messages": [{"role": "user", "content": "hi"}], "n": 3, "logprobs": true, "top_logprobs": 5,
                 "response_format": {"type": "json_schema", "json_schema": {"name": "p", "strict": true,
                   "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}"""), CFG).request().decoding();
        assertEquals(new DecodingOptions(new DecodingOptions.JsonSchema("p", "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}", true),
                true, 5, 3, null), chat);
        var plain = RequestParser.chat(body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"text\"}}"), CFG);
        assertEquals(DecodingOptions.DEFAULT, plain.request().decoding());
        var obj = RequestParser.chat(body("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_object\"}}"), CFG);
        assertEquals(new DecodingOptions.JsonObject(), obj.request().decoding().format());
        var text = RequestParser.completion(body("""
                {"prompt": "x", "logprobs": 0, "n": 2, "best_of": 2, "response_format": {"type": "json_object"}}"""), CFG).request().decoding();
        assertEquals(new DecodingOptions(new DecodingOptions.JsonObject(), true, 0, 2, null), text);
    }

    @Test
    void toolsAndToolChoiceBecomeChatOptionsFromWhichTheToolCallConstraintFollows() {
        String tools = """
                "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}},
                          {"type": "function", "function": {"name": "noop"}}]""";
        java.util.function.Function<String, GenerationRequest> parse = extra -> RequestParser.chat(body(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], " + tools + extra + "}"), CFG).request();
        GenerationRequest r = parse.apply(", \"tool_choice\": \"required\"");
        assertNull(r.decoding().toolCalls(), "the constraint is the engine's to derive, from the chat options");
        var required = DecodingOptions.ToolCallConstraint.of(r.chat());
        assertEquals(DecodingOptions.ToolCallConstraint.Mode.REQUIRED, required.mode());
        assertEquals(List.of(new DecodingOptions.ToolCallConstraint.Tool("get_weather", "{\"type\":\"object\"}"),
                new DecodingOptions.ToolCallConstraint.Tool("noop", "{}")), required.tools());
        var named = DecodingOptions.ToolCallConstraint.of(parse.apply(
                ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"noop\"}}, \"parallel_tool_calls\": false").chat());
        assertEquals("noop|NAMED|false", named.function() + "|" + named.mode() + "|" + named.parallel());
        assertEquals(DecodingOptions.ToolCallConstraint.Mode.AUTO, DecodingOptions.ToolCallConstraint.of(parse.apply("").chat()).mode());
        assertNull(DecodingOptions.ToolCallConstraint.of(parse.apply(", \"tool_choice\": \"none\"").chat()));
        ApiException unknown = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> parse.apply(
                ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"other\"}}"));
        assertTrue(unknown.getMessage().contains("'other'"), unknown.getMessage());
    }
}
