package io.infernet.server;

import static io.infernet.server.DecodingApiTest.assertValid;
import static io.infernet.server.DecodingApiTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.Progress;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.serve.ServeConfig;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Both halves of issue 13 at once, over HTTP on loopback against the in-process engine with
 * random weights (sampled, not scripted, unless said): tools with {@code tool_choice} required or a
 * named function always give {@code message.tool_calls} whose arguments validate against the tool's
 * {@code parameters} (whole and streamed, in the generic JSON syntax of a template without tool
 * syntax and in the Hermes syntax of Qwen2.5's own template), {@code n} choices with tools each
 * parsed on its own, log-probabilities next to tool-call and reasoning deltas,
 * {@code response_format} with a model's own template, and the Responses API's
 * {@code text.format} json_schema.
 */
@Tag("native")
class AgentDecodingApiTest {
    /** The tiny model: its Llama-2 Jinja template has no tool syntax, so calls are the generic JSON form. */
    static InProcessApiTest.Served tiny;
    /** A Qwen2-vocabulary model rendered with Qwen2.5's template (Hermes {@code <tool_call>} calls), sampling. */
    static InProcessApiTest.Served qwen;

    static final String WEATHER = """
            {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":20},"unit":{"enum":["celsius","fahrenheit"]}},
             "required":["city","unit"],"additionalProperties":false}""";
    static final String ADD = """
            {"type":"object","properties":{"a":{"type":"integer","minimum":-1000,"maximum":1000},"b":{"type":"integer"}},
             "required":["a","b"],"additionalProperties":false}""";
    static final Map<String, String> PARAMETERS = Map.of("get_weather", WEATHER, "add", ADD);
    static final String TOOLS = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":" + WEATHER + "}},"
            + "{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":" + ADD + "}}]";
    static final String REQUIRED = TOOLS + ",\"tool_choice\":\"required\"";

    @BeforeAll
    static void start() {
        tiny = InProcessApiTest.Served.start(ServeConfig.defaults().withThreads(1).withParallel(4).withKvCells(4096).withBatchSize(128));
        Model m = Model.load(DemoModel.ensure(ScriptedServer.MODEL, Progress.NONE));
        InProcessEngine e = new InProcessEngine(m, "qwen2-tiny", ServeConfig.defaults().withThreads(1).withParallel(2).withKvCells(8192)
                .withBatchSize(256), JavaSampler::new, ScriptedServer.corpusTemplate("Qwen-Qwen2.5-7B-Instruct.jinja"));
        qwen = new InProcessApiTest.Served(ApiServer.start(e, ServerConfig.defaults().withPort(0)), e);
    }

    @AfterAll
    static void stop() {
        tiny.close();
        qwen.close();
    }

    private static String chat(String model, String extra) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}]" + extra + "}";
    }

    /** One call as a client sees it: the function's name and its arguments as JSON. */
    record Call(String name, JsonNode arguments) {}

    /** The calls of a whole answer's message, each checked: an id, type function, a known tool, arguments that validate. */
    private static List<Call> calls(JsonNode message) throws Exception {
        assertTrue(message.get("content").isNull(), "only calls: " + message);
        JsonNode calls = message.get("tool_calls");
        assertTrue(calls != null && !calls.isEmpty(), message.toString());
        List<Call> out = new ArrayList<>();
        for (JsonNode c : calls) {
            assertFalse(c.get("id").asText().isEmpty(), c.toString());
            assertEquals("function", c.get("type").asText());
            String name = c.at("/function/name").asText();
            assertTrue(PARAMETERS.containsKey(name), c.toString());
            String args = c.at("/function/arguments").asText();
            assertValid(PARAMETERS.get(name), args);
            out.add(new Call(name, Json.MAPPER.readTree(args)));
        }
        return out;
    }

    /** A streamed answer, per choice index: its content, reasoning, calls (assembled from their pieces) and finish reason. */
    static final class Streamed {
        final Map<Integer, StringBuilder> content = new TreeMap<>();
        final Map<Integer, StringBuilder> reasoning = new TreeMap<>();
        final Map<Integer, List<String>> names = new TreeMap<>();
        final Map<Integer, List<StringBuilder>> arguments = new TreeMap<>();
        final Map<Integer, String> finish = new TreeMap<>();
        final Map<Integer, List<JsonNode>> logprobs = new TreeMap<>();

        Streamed(List<JsonNode> chunks) {
            for (JsonNode chunk : chunks) {
                for (JsonNode ch : chunk.path("choices")) {
                    int i = ch.get("index").asInt();
                    JsonNode delta = ch.path("delta");
                    content.computeIfAbsent(i, k -> new StringBuilder()).append(delta.path("content").asText(""));
                    reasoning.computeIfAbsent(i, k -> new StringBuilder()).append(delta.path("reasoning_content").asText(""));
                    for (JsonNode piece : delta.path("tool_calls")) {
                        List<String> n = names.computeIfAbsent(i, k -> new ArrayList<>());
                        List<StringBuilder> a = arguments.computeIfAbsent(i, k -> new ArrayList<>());
                        int call = piece.get("index").asInt();
                        if (piece.has("id")) {
                            assertEquals(n.size(), call, "calls are numbered from 0 in each choice: " + piece);
                            n.add(piece.at("/function/name").asText());
                            a.add(new StringBuilder());
                        }
                        a.get(call).append(piece.at("/function/arguments").asText(""));
                    }
                    if (ch.path("logprobs").isObject()) {
                        ch.at("/logprobs/content").forEach(e -> logprobs.computeIfAbsent(i, k -> new ArrayList<>()).add(e));
                    }
                    if (ch.path("finish_reason").isTextual()) {
                        assertFalse(finish.containsKey(i), "one finish per choice");
                        finish.put(i, ch.get("finish_reason").asText());
                    }
                }
            }
        }

        List<Call> calls(int index) throws Exception {
            List<Call> out = new ArrayList<>();
            List<String> n = names.getOrDefault(index, List.of());
            for (int c = 0; c < n.size(); c++) {
                String args = arguments.get(index).get(c).toString();
                assertValid(PARAMETERS.get(n.get(c)), args);
                out.add(new Call(n.get(c), Json.MAPPER.readTree(args)));
            }
            return out;
        }
    }

    /**
     * For seeds {@code 0..seeds-1} at temperature 1.5, {@code tool_choice: "required"} answers valid calls and
     * finish_reason tool_calls, and the same request streamed gives the same calls and no content.
     */
    private static void assertRequiredCallsWholeAndStreamed(InProcessApiTest.Served s, String model, int seeds) throws Exception {
        for (int seed = 0; seed < seeds; seed++) {
            String body = chat(model, REQUIRED + ",\"temperature\":1.5,\"seed\":" + seed + ",\"max_tokens\":200");
            JsonNode choice = ok(s.post("/v1/chat/completions", body)).at("/choices/0");
            assertEquals("tool_calls", choice.get("finish_reason").asText(), choice.toString());
            List<Call> whole = calls(choice.get("message"));
            Streamed streamed = new Streamed(ApiHarness.sseChunks(s.post("/v1/chat/completions", stream(body))));
            assertEquals("tool_calls", streamed.finish.get(0));
            assertEquals(whole, streamed.calls(0), model + ": streamed, the same calls (seed " + seed + ")");
            assertEquals("", streamed.content.get(0).toString(), "no content around the calls");
        }
    }

    @Test
    void requiredToolChoiceAlwaysGivesValidCallsWholeAndStreamed() throws Exception {
        assertRequiredCallsWholeAndStreamed(tiny, "tiny", 5);
    }

    @Test
    void aNamedFunctionIsCalledExactlyOnce() throws Exception {
        String named = TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"add\"}}";
        for (int seed = 0; seed < 4; seed++) {
            String body = chat("tiny", named + ",\"temperature\":1.5,\"seed\":" + seed + ",\"max_tokens\":120");
            JsonNode choice = ok(tiny.post("/v1/chat/completions", body)).at("/choices/0");
            assertEquals("tool_calls", choice.get("finish_reason").asText());
            List<Call> whole = calls(choice.get("message"));
            assertEquals(1, whole.size(), choice.toString());
            assertEquals("add", whole.getFirst().name());
            Streamed streamed = new Streamed(ApiHarness.sseChunks(tiny.post("/v1/chat/completions", stream(body))));
            assertEquals(whole, streamed.calls(0));
            assertEquals("tool_calls", streamed.finish.get(0));
        }
    }

    private static String stream(String body) {
        return body.substring(0, body.length() - 1) + ",\"stream\":true}";
    }

    @Test
    void twoChoicesWithToolsAreEachParsedOnTheirOwn() throws Exception {
        String body = chat("tiny", REQUIRED + ",\"n\":2,\"temperature\":1.5,\"seed\":21,\"max_tokens\":200");
        JsonNode whole = ok(tiny.post("/v1/chat/completions", body));
        assertEquals(2, whole.get("choices").size());
        Streamed streamed = new Streamed(ApiHarness.sseChunks(tiny.post("/v1/chat/completions", stream(body))));
        for (int i = 0; i < 2; i++) {
            JsonNode choice = whole.get("choices").get(i);
            assertEquals(i, choice.get("index").asInt());
            assertEquals("tool_calls", choice.get("finish_reason").asText(), choice.toString());
            List<Call> calls = calls(choice.get("message"));
            assertEquals(calls, streamed.calls(i), "choice " + i + ": streamed, the same calls");
            assertEquals("tool_calls", streamed.finish.get(i));
        }
        assertTrue(streamed.calls(0).size() + streamed.calls(1).size() >= 2);
    }

    @Test
    void logprobsGoWithToolCallDeltasAndCountEveryToken() throws Exception {
        String body = chat("tiny", REQUIRED + ",\"logprobs\":true,\"top_logprobs\":2,\"temperature\":1.2,\"seed\":3,\"max_tokens\":200");
        JsonNode whole = ok(tiny.post("/v1/chat/completions", body));
        JsonNode choice = whole.at("/choices/0");
        List<Call> calls = calls(choice.get("message"));
        JsonNode content = choice.at("/logprobs/content");
        assertEquals(whole.at("/usage/completion_tokens").asInt(), content.size(), "one entry per generated token");
        for (JsonNode t : content) {
            assertTrue(t.get("logprob").asDouble() <= 0);
            assertEquals(2, t.get("top_logprobs").size());
        }
        Streamed streamed = new Streamed(ApiHarness.sseChunks(tiny.post("/v1/chat/completions", stream(body))));
        assertEquals(calls, streamed.calls(0));
        List<String> wholeTokens = new ArrayList<>();
        content.forEach(t -> wholeTokens.add(t.get("token").asText()));
        List<String> streamedTokens = new ArrayList<>();
        streamed.logprobs.get(0).forEach(t -> streamedTokens.add(t.get("token").asText()));
        assertEquals(wholeTokens, streamedTokens, "streamed, every token's entry once, in order, on the call's deltas");
    }

    @Test
    void responsesApiTextFormatJsonSchemaGivesValidJson() throws Exception {
        String body = "{\"model\":\"tiny\",\"input\":\"Name a film\",\"max_output_tokens\":150,\"temperature\":1.5,\"seed\":4,"
                + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"film\",\"strict\":true,\"schema\":" + DecodingApiTest.SCHEMA + "}}";
        JsonNode whole = ok(tiny.post("/v1/responses", body + "}"));
        assertEquals("completed", whole.get("status").asText(), whole.toString());
        String text = whole.at("/output/0/content/0/text").asText();
        assertValid(DecodingApiTest.SCHEMA, text);
        assertEquals("json_schema", whole.at("/text/format/type").asText(), "the response echoes its format");
        HttpResponse<String> res = tiny.post("/v1/responses", body + ",\"stream\":true}");
        assertEquals(200, res.statusCode(), res.body());
        StringBuilder deltas = new StringBuilder();
        JsonNode completed = null;
        for (String block : res.body().split("\n\n")) {
            JsonNode data = ApiHarness.json(block.substring(block.indexOf("data: ") + 6));
            if (data.get("type").asText().equals("response.output_text.delta")) {
                deltas.append(data.get("delta").asText());
            } else if (data.get("type").asText().equals("response.completed")) {
                completed = data.get("response");
            }
        }
        assertValid(DecodingApiTest.SCHEMA, deltas.toString());
        assertEquals(deltas.toString(), completed.at("/output/0/content/0/text").asText());
        assertEquals(text, deltas.toString(), "streamed, the same answer");
    }

    @Test
    void theModelsOwnTemplateWithResponseFormatAndConstrainedToolCalls() throws Exception {
        String prompt = ok(qwen.post("/apply-template", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + TOOLS + "}")).get("prompt").asText();
        assertTrue(prompt.contains("<tools>") && prompt.contains("<tool_call>"), "Qwen2.5's template renders the tools: " + prompt);
        String format = ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"film\",\"strict\":true,\"schema\":"
                + DecodingApiTest.SCHEMA + "}}";
        for (int seed = 0; seed < 3; seed++) {
            JsonNode film = ok(qwen.post("/v1/chat/completions", chat("qwen2-tiny", format + ",\"temperature\":1.5,\"seed\":" + seed
                    + ",\"max_tokens\":150")));
            assertEquals("stop", film.at("/choices/0/finish_reason").asText());
            assertValid(DecodingApiTest.SCHEMA, film.at("/choices/0/message/content").asText());
        }
        assertRequiredCallsWholeAndStreamed(qwen, "qwen2-tiny", 3); // Hermes <tool_call> calls
    }

    @Test
    void logprobsNextToReasoningDeltas() throws Exception {
        try (ScriptedServer qwen3 = ScriptedServer.withTemplate("Qwen-Qwen3-0.6B.jinja")) {
            String thought = "<think>\nTwo and two make four.\n</think>\n\nIt is 4.";
            qwen3.script(thought, thought);
            String ask = "{\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}],\"logprobs\":true,\"top_logprobs\":1";
            JsonNode whole = ok(ToolCallApiTest.post(qwen3, "/v1/chat/completions", ask + "}"));
            JsonNode message = whole.at("/choices/0/message");
            assertEquals("Two and two make four.", message.get("reasoning_content").asText());
            assertEquals("It is 4.", message.get("content").asText());
            JsonNode content = whole.at("/choices/0/logprobs/content");
            assertEquals(whole.at("/usage/completion_tokens").asInt(), content.size());
            StringBuilder tokens = new StringBuilder();
            content.forEach(t -> tokens.append(t.get("token").asText()));
            assertEquals(thought, tokens.toString(), "the entries cover the raw output, reasoning included");
            Streamed streamed = new Streamed(ApiHarness.sseChunks(ToolCallApiTest.post(qwen3, "/v1/chat/completions", ask + ",\"stream\":true}")));
            assertEquals("Two and two make four.", streamed.reasoning.get(0).toString());
            assertEquals("It is 4.", streamed.content.get(0).toString().strip());
            StringBuilder streamedTokens = new StringBuilder();
            streamed.logprobs.get(0).forEach(t -> streamedTokens.append(t.get("token").asText()));
            assertEquals(thought, streamedTokens.toString());
            assertEquals("stop", streamed.finish.get(0));
        }
    }

    @Test
    void aFormatWhoseCallsAreNotParsedRefusesToForceACall() throws Exception {
        try (ScriptedServer gemma = ScriptedServer.withTemplate("google-gemma-4-31B-it.jinja")) {
            HttpResponse<String> forced = ToolCallApiTest.post(gemma, "/v1/chat/completions", chat("qwen2-tiny", REQUIRED));
            assertEquals(400, forced.statusCode(), forced.body());
            JsonNode err = ApiHarness.json(forced.body()).get("error");
            assertEquals("tool_choice", err.get("param").asText());
            assertTrue(err.get("message").asText().contains("GEMMA_4"), err.toString());
            gemma.script("Sunny.");
            JsonNode auto = ok(ToolCallApiTest.post(gemma, "/v1/chat/completions", chat("qwen2-tiny", TOOLS)));
            assertEquals("Sunny.", auto.at("/choices/0/message/content").asText(), "auto: the model answers freely");
        }
    }
}
