package io.infernet.engines.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.infernet.chat.parse.ChatOutputParser;
import io.infernet.chat.parse.FormatDetector;
import io.infernet.chat.parse.OutputFormat;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ParserOptions;
import io.infernet.chat.parse.ToolCall;
import io.infernet.chat.parse.ToolCallFormat;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.FinishReason;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.DecodingOptions.ToolCallConstraint;
import io.infernet.engines.EngineException;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.remote.EventLog;
import io.infernet.kernels.SamplingParams;
import io.infernet.natives.Progress;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.serve.ServeConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Decoding options through the in-process engine on a generated random-weight model: JSON schemas
 * and tool calls constrained whatever the weights, unsupported schemas refused, choices and
 * log-probabilities as events.
 */
@Tag("native")
class InProcessDecodingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static InProcessEngine engine;

    @BeforeAll
    static void start() {
        Model m = Model.load(DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE));
        engine = new InProcessEngine(m, "tiny", ServeConfig.defaults().withThreads(1).withParallel(4).withKvCells(4096).withBatchSize(128),
                JavaSampler::new);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static GenerationRequest chat(String text, SamplingParams s, int max, DecodingOptions d) {
        return GenerationRequest.chat("tiny", List.of(new ChatMessage("user", text)), s, max).withDecoding(d);
    }

    private static GenerationEvent.Done run(GenerationRequest r) throws Exception {
        EventLog log = new EventLog();
        return log.run(engine, r, GenerationEvent.Done.class);
    }

    private static void assertValid(String schema, String json) throws Exception {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        assertEquals(Set.of(), JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config)
                .validate(JSON.readTree(json)), json);
    }

    static final String PERSON = """
            {"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":20},"age":{"type":"integer","minimum":0,"maximum":120},
             "email":{"type":"string","format":"email"},"tags":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":3}},
             "required":["name","age","email","tags"],"additionalProperties":false}""";

    @Test
    void jsonSchemaOutputsValidateForEverySeedAtHighTemperature() throws Exception {
        DecodingOptions d = DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonSchema("person", PERSON, true));
        long compiles = -1;
        for (int seed = 0; seed < 10; seed++) {
            GenerationEvent.Done done = run(chat("Describe someone", SamplingParams.defaults().withTemperature(1.5f).withSeed(seed), 200, d));
            assertValid(PERSON, done.text());
            if (seed == 0) {
                compiles = engine.constraints().compiles();
            }
        }
        assertEquals(compiles, engine.constraints().compiles(), "the schema compiles once, then comes from the cache");
        GenerationEvent.Done obj = run(chat("Anything", SamplingParams.defaults().withSeed(3), 64,
                DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonObject())));
        assertTrue(JSON.readTree(obj.text()).isObject(), obj.text());
    }

    @Test
    void anUnsupportedKeywordIsRefusedByName() {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"patternProperties\":{}}}}";
        EngineException e = assertThrows(EngineException.class, () -> engine.generate(chat("x", SamplingParams.greedy(), 20,
                DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonSchema("s", schema, true))), ev -> { }));
        assertEquals(EngineException.Kind.INVALID_REQUEST, e.kind());
        assertEquals("response_format", e.param());
        assertTrue(e.getMessage().contains("patternProperties"), e.getMessage());
        EngineException small = assertThrows(EngineException.class, () -> engine.generate(chat("x", SamplingParams.greedy(), 3,
                DecodingOptions.DEFAULT.withFormat(new DecodingOptions.JsonSchema("person", PERSON, true))), ev -> { }));
        assertTrue(small.getMessage().contains("raise max_tokens"), small.getMessage());
    }

    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("get_weather", """
                {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":20},"unit":{"enum":["celsius","fahrenheit"]}},
                 "required":["city","unit"]}""");
        TOOLS.put("add", """
                {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}""");
    }

    private static ToolCallConstraint toolCalls(ToolCallConstraint.Mode mode, String function) {
        return new ToolCallConstraint(TOOLS.entrySet().stream().map(e -> new ToolCallConstraint.Tool(e.getKey(), e.getValue())).toList(),
                mode, function, true);
    }

    private static List<ToolCall> calls(String text) throws Exception {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (var e : TOOLS.entrySet()) {
            byName.put(e.getKey(), JSON.readTree(e.getValue()));
        }
        OutputFormat f = FormatDetector.detect(engine.serving().model().chatTemplate());
        OutputFormat used = f.parsesToolCalls() && f.callSyntax() != null ? f : OutputFormat.of(ToolCallFormat.GENERIC, null);
        ParsedMessage msg = ChatOutputParser.parse(used, text, ParserOptions.defaults().withTools(byName));
        assertEquals("", msg.content().strip(), "nothing but calls: " + text);
        return msg.toolCalls();
    }

    /** The tools as a chat request offers them, with {@code choice}. */
    private static ChatOptions chatTools(ChatOptions.ToolChoice choice) throws Exception {
        List<ChatOptions.FunctionTool> tools = new java.util.ArrayList<>();
        for (var e : TOOLS.entrySet()) {
            tools.add(new ChatOptions.FunctionTool(e.getKey(), null, JSON.readTree(e.getValue()), null));
        }
        return ChatOptions.DEFAULT.withTools(tools, choice);
    }

    /** The calls the engine parsed: a tool-call end, no content, every call complete and valid for its tool. */
    private static List<ToolCall> parsedCalls(GenerationEvent.Done done) throws Exception {
        assertEquals(FinishReason.TOOL_CALLS, done.reason(), done.text());
        assertEquals("", done.message().content().strip(), "nothing but calls: " + done.text());
        assertEquals(done.message(), done.choices().getFirst().message());
        for (ToolCall c : done.message().toolCalls()) {
            assertTrue(c.complete(), done.text());
            assertValid(TOOLS.get(c.name()), c.argumentsJson());
        }
        assertEquals(signatures(calls(done.text())), signatures(done.message().toolCalls()),
                "the engine's streaming parser reads what a parser of the whole text reads");
        return done.message().toolCalls();
    }

    /** Name and arguments of each call (ids are random). */
    private static List<String> signatures(List<ToolCall> calls) {
        return calls.stream().map(t -> t.name() + t.argumentsJson()).toList();
    }

    @Test
    void toolChoiceRequiredAlwaysGivesValidCallsOfTheTools() throws Exception {
        ChatOptions required = chatTools(ChatOptions.ToolChoice.REQUIRED);
        for (int seed = 0; seed < 8; seed++) {
            GenerationEvent.Done done = run(chat("What is the weather?", SamplingParams.defaults().withTemperature(1.5f).withSeed(seed), 250,
                    DecodingOptions.DEFAULT).withChat(required));
            assertTrue(!parsedCalls(done).isEmpty(), done.text());
        }
        // the constraint given directly (a caller that parses the output itself) holds too
        DecodingOptions d = DecodingOptions.DEFAULT.withToolCalls(toolCalls(ToolCallConstraint.Mode.REQUIRED, null));
        GenerationEvent.Done direct = run(chat("What is the weather?", SamplingParams.defaults().withTemperature(1.5f).withSeed(9), 250, d));
        for (ToolCall c : calls(direct.text())) {
            assertValid(TOOLS.get(c.name()), c.argumentsJson());
        }
    }

    @Test
    void aNamedFunctionIsCalled() throws Exception {
        ChatOptions named = chatTools(ChatOptions.ToolChoice.function("add"));
        for (int seed = 0; seed < 5; seed++) {
            GenerationEvent.Done done = run(chat("Add two numbers", SamplingParams.defaults().withTemperature(1.5f).withSeed(seed), 120,
                    DecodingOptions.DEFAULT).withChat(named));
            List<ToolCall> calls = parsedCalls(done);
            assertEquals(1, calls.size(), done.text());
            assertEquals("add", calls.getFirst().name());
        }
    }

    @Test
    void eachChoiceIsParsedOnItsOwn() throws Exception {
        GenerationRequest r = chat("Weather?", SamplingParams.defaults().withTemperature(1.5f).withSeed(13), 250, DecodingOptions.DEFAULT.withN(3))
                .withChat(chatTools(ChatOptions.ToolChoice.REQUIRED));
        EventLog log = new EventLog();
        GenerationEvent.Done done = log.run(engine, r, GenerationEvent.Done.class);
        assertEquals(3, done.choices().size());
        for (GenerationEvent.Choice c : done.choices()) {
            assertEquals(FinishReason.TOOL_CALLS, c.reason());
            assertEquals(signatures(calls(c.text())), signatures(c.message().toolCalls()), "choice " + c.index());
            List<io.infernet.chat.parse.ChatDelta> deltas = new java.util.ArrayList<>();
            log.events().stream().filter(e -> e instanceof GenerationEvent.Token t && t.index() == c.index())
                    .forEach(e -> deltas.addAll(((GenerationEvent.Token) e).deltas()));
            assertEquals(signatures(c.message().toolCalls()), signatures(ParsedMessage.fold(deltas).toolCalls()),
                    "choice " + c.index() + ": its deltas fold to its message");
        }
    }

    @Test
    void severalChoicesAndLogprobsArriveAsIndexedEvents() throws Exception {
        DecodingOptions d = DecodingOptions.DEFAULT.withN(3).withLogprobs(true, 4);
        EventLog log = new EventLog();
        GenerationRequest r = chat("Hello there", SamplingParams.defaults().withSeed(11), 8, d);
        GenerationEvent.Done done = log.run(engine, r, GenerationEvent.Done.class);
        assertEquals(3, done.choices().size());
        assertEquals(24, done.usage().completionTokens(), "all choices count");
        for (int i = 0; i < 3; i++) {
            int index = i;
            List<GenerationEvent.Token> tokens = log.events().stream().filter(e -> e instanceof GenerationEvent.Token t && t.index() == index)
                    .map(e -> (GenerationEvent.Token) e).toList();
            assertEquals(8, tokens.size(), "choice " + i);
            StringBuilder text = new StringBuilder();
            for (GenerationEvent.Token t : tokens) {
                text.append(t.text());
                assertNotNull(t.logprob());
                assertEquals(4, t.logprob().top().size());
                assertTrue(t.logprob().logprob() <= 0);
                assertTrue(t.logprob().top().getFirst().logprob() >= t.logprob().top().getLast().logprob());
            }
            assertEquals(done.choices().get(i).text(), text.toString());
            assertEquals(i, done.choices().get(i).index());
        }
    }

    /**
     * Writes a scripted text token by token while the script's next token is allowed, then draws
     * uniformly among the tokens the mask left finite: a model that decides to call a tool, then a
     * random-weight one inside the call.
     */
    static final class ScriptThenRandom implements io.infernet.runtime.TokenSampler {
        final int[] script;
        final java.util.SplittableRandom random;
        final int vocab;
        int next;

        ScriptThenRandom(int[] script, long seed, int vocab) {
            this.script = script;
            this.random = new java.util.SplittableRandom(seed);
            this.vocab = vocab;
        }

        @Override
        public int sample(io.infernet.runtime.Context ctx, int outputIndex) {
            java.lang.foreign.MemorySegment row = ctx.logits(outputIndex);
            if (next < script.length && Float.isFinite(row.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, script[next]))) {
                return script[next++];
            }
            next = script.length;
            java.util.List<Integer> allowed = new java.util.ArrayList<>();
            for (int t = 0; t < vocab; t++) {
                if (Float.isFinite(row.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, t))) {
                    allowed.add(t);
                }
            }
            return allowed.get(random.nextInt(allowed.size()));
        }

        @Override
        public void accept(int token) {}

        @Override
        public void reset() {}
    }

    @Test
    void withAutoTheTextIsFreeUntilTheModelStartsACallThenTheCallIsConstrained() throws Exception {
        Model m = Model.load(DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE));
        String opening = "Let me check. {\"tool_calls\": [{\"name\": \"";
        int[] script = m.vocab().tokenize(opening, false, false);
        int vocab = m.vocab().size();
        for (int seed = 0; seed < 4; seed++) {
            long s = seed;
            try (InProcessEngine e = new InProcessEngine(Model.load(DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE)), "tiny",
                    ServeConfig.defaults().withThreads(1).withParallel(1).withKvCells(2048), (p, v) -> new ScriptThenRandom(script, s, vocab))) {
                EventLog log = new EventLog();
                GenerationEvent.Done done = log.run(e, chat("Weather?", SamplingParams.defaults(), 300,
                        DecodingOptions.DEFAULT.withToolCalls(toolCalls(ToolCallConstraint.Mode.AUTO, null))), GenerationEvent.Done.class);
                String text = done.text();
                int call = text.indexOf("{\"tool_calls\"");
                assertTrue(text.substring(0, Math.max(0, call)).contains("Let me check."), "free text first: " + text);
                // the generic JSON form is parsed only at the start of an output: parse the call where it starts
                text = text.substring(call);
                OutputFormat generic = OutputFormat.of(ToolCallFormat.GENERIC, null);
                Map<String, JsonNode> byName = new LinkedHashMap<>();
                for (var t : TOOLS.entrySet()) {
                    byName.put(t.getKey(), JSON.readTree(t.getValue()));
                }
                ParsedMessage msg = ChatOutputParser.parse(generic, text, ParserOptions.defaults().withTools(byName));
                assertTrue(msg.hasToolCalls(), "the call the model started was completed: " + text);
                for (ToolCall c : msg.toolCalls()) {
                    assertValid(TOOLS.get(c.name()), c.argumentsJson());
                }
            }
        }
        m.close();
        // and free text that never starts a call is left alone
        GenerationEvent.Done free = run(chat("Hello", SamplingParams.defaults().withSeed(4), 30,
                DecodingOptions.DEFAULT.withToolCalls(toolCalls(ToolCallConstraint.Mode.AUTO, null))));
        assertEquals(30, free.usage().completionTokens(), "a random-weight model writes 30 tokens of text, no call: " + free.text());
    }
}
