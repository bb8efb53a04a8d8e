package io.infernet.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The worked example for per-format tool-call grammars: Hermes/Qwen
 * {@code <tool_call>\n{"name": N, "arguments": ARGS}\n</tool_call>} over two tools, one alternative
 * per tool (so the arguments follow that tool's parameters), built with {@link GrammarBuilder} and
 * {@link JsonSchemaCompiler#addSchema}; then the same grammar applied lazily from the trigger.
 */
class ToolCallGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestVocab.Vocab V = TestVocab.standard();

    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("get_weather", """
                {"type":"object","properties":{"city":{"type":"string","minLength":1},"unit":{"enum":["celsius","fahrenheit"]}},
                 "required":["city","unit"],"additionalProperties":false}""");
        TOOLS.put("add", """
                {"type":"object","properties":{"a":{"$ref":"#/$defs/n"},"b":{"$ref":"#/$defs/n"}},"required":["a","b"],
                 "additionalProperties":false,"$defs":{"n":{"type":"integer","minimum":0,"maximum":1000}}}""");
    }

    /** {@code root ::= "<tool_call>\n" (call-0 | call-1) "\n</tool_call>"}, a call per tool. */
    static Grammar hermes() throws Exception {
        GrammarBuilder b = new GrammarBuilder();
        JsonSchemaCompiler schemas = new JsonSchemaCompiler(b);
        List<Expr> calls = new ArrayList<>();
        for (var tool : TOOLS.entrySet()) {
            String name = GrammarBuilder.sanitize(tool.getKey());
            String args = schemas.addSchema(name + "-args", JSON.readTree(tool.getValue()));
            calls.add(Expr.ref(b.addRule(name + "-call", Expr.seq(
                    Expr.literal("{\"name\": " + JsonSchemaCompiler.dump(JSON.getNodeFactory().textNode(tool.getKey())) + ", \"arguments\": "),
                    Expr.ref(args), Expr.literal("}")))));
        }
        b.addRule("root", Expr.seq(Expr.literal("<tool_call>\n"), Expr.alt(calls), Expr.literal("\n</tool_call>")));
        return b.build("root");
    }

    private static void assertValidCall(String text) throws Exception {
        assertTrue(text.startsWith("<tool_call>\n") && text.endsWith("\n</tool_call>"), text);
        JsonNode call = JSON.readTree(text.substring("<tool_call>\n".length(), text.length() - "\n</tool_call>".length()));
        String name = call.get("name").asText();
        assertTrue(TOOLS.containsKey(name), text);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        JsonSchema params = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(TOOLS.get(name), config);
        assertEquals(java.util.Set.of(), params.validate(call.get("arguments")), text);
    }

    @Test
    void theGrammarReadsAsWritten() throws Exception {
        String gbnf = hermes().toGbnf();
        assertTrue(gbnf.contains("root ::= \"<tool_call>\\n\" (get-weather-call | add-call) \"\\n</tool_call>\""), gbnf);
        assertTrue(gbnf.contains("add-call ::= \"{\\\"name\\\": \\\"add\\\", \\\"arguments\\\": \" add-args \"}\""), gbnf);
        assertTrue(gbnf.contains("add-args ::= \"{\" space add-args-a-kv \",\" space add-args-b-kv space \"}\""), gbnf);
        assertTrue(gbnf.contains("add-args-a ::= add-args-ref-defs-n\n"), "references are named after their document: " + gbnf);
    }

    @Test
    void everyWalkIsAValidCall() throws Exception {
        CompiledGrammar cg = CompiledGrammar.compile(hermes(), V.vocabulary());
        SplittableRandom r = new SplittableRandom(17);
        for (int walk = 0; walk < 200; walk++) {
            GrammarMatcher m = cg.matcher();
            List<Integer> tokens = new ArrayList<>();
            long[] mask = TokenMask.allocate(V.size());
            for (int left = 120; left > 0 && !m.isTerminated(); left--) {
                m.fillMask(mask, left);
                List<Integer> allowed = TestVocab.allowed(mask, V.size());
                int t = allowed.get(r.nextInt(allowed.size()));
                m.accept(t);
                tokens.add(t);
            }
            assertTrue(m.canTerminate(), V.text(tokens));
            assertValidCall(V.text(tokens));
        }
    }

    @Test
    void lazyModeIsFreeUntilTheTriggerThenConstrained() throws Exception {
        CompiledGrammar cg = CompiledGrammar.compile(hermes(), V.vocabulary());
        int tagToken = GrammarMatcherTest.tokenOf("<tool_call>");
        SplittableRandom r = new SplittableRandom(23);
        int triggered = 0;
        for (int walk = 0; walk < 100; walk++) {
            LazyGrammarMatcher m = new LazyGrammarMatcher(cg, List.of("<tool_call>"), new int[0]);
            List<Integer> tokens = new ArrayList<>();
            long[] mask = TokenMask.allocate(V.size());
            for (int left = 200; left > 0; left--) {
                m.fillMask(mask, left);
                List<Integer> allowed = TestVocab.allowed(mask, V.size());
                // free text first, then steer to the trigger now and then, as a model would
                int t = !m.isTriggered() && r.nextInt(8) == 0 && allowed.contains(tagToken) ? tagToken : allowed.get(r.nextInt(allowed.size()));
                m.accept(t);
                tokens.add(t);
                if (t == V.eog()) {
                    break;
                }
            }
            if (m.isTriggered()) {
                triggered++;
                assertTrue(m.canTerminate(), V.text(tokens));
                byte[] all = bytes(tokens);
                String call = new String(all, (int) m.triggerOffset(), all.length - (int) m.triggerOffset(), java.nio.charset.StandardCharsets.UTF_8)
                        .replace("</s>", "");
                assertValidCall(call);
            }
        }
        assertTrue(triggered > 50, "walks that reached a call: " + triggered);
    }

    @Test
    void aTokenThatWouldStartARefusedCallIsMaskedWhileWaiting() throws Exception {
        CompiledGrammar cg = CompiledGrammar.compile(hermes(), V.vocabulary());
        LazyGrammarMatcher m = new LazyGrammarMatcher(cg, List.of("<tool_call>"), new int[0]);
        long[] mask = TokenMask.allocate(V.size());
        m.fillMask(mask);
        assertTrue(TokenMask.isAllowed(mask, GrammarMatcherTest.tokenOf("<tool_call>")));
        assertTrue(TokenMask.isAllowed(mask, GrammarMatcherTest.tokenOf("\n<tool_call>\n")), "trigger, then the newline the grammar wants");
        assertTrue(TokenMask.isAllowed(mask, GrammarMatcherTest.tokenOf("hello")));
        assertTrue(TokenMask.isAllowed(mask, V.eog()), "free text may end");
        m.accept(GrammarMatcherTest.tokenOf("<tool"));
        assertFalse(m.isTriggered());
        m.fillMask(mask);
        assertTrue(TokenMask.isAllowed(mask, GrammarMatcherTest.tokenOf("_call>")));
        m.accept(GrammarMatcherTest.tokenOf("_call>"));
        assertTrue(m.isTriggered());
        assertEquals(0, m.triggerOffset());
        assertNotNull(m.inner());
        m.fillMask(mask);
        assertEquals(List.of("\n"), TestVocab.allowed(mask, V.size()).stream().map(t -> new String(V.pieces()[t],
                java.nio.charset.StandardCharsets.UTF_8)).distinct().toList(), "only the newline may follow the tag");
        assertThrows(IllegalArgumentException.class, () -> m.accept(GrammarMatcherTest.tokenOf("hello")));
    }

    @Test
    void triggerTokensStartTheGrammarWithTheirPiece() throws Exception {
        CompiledGrammar cg = CompiledGrammar.compile(hermes(), V.vocabulary());
        int tag = GrammarMatcherTest.tokenOf("<tool_call>");
        LazyGrammarMatcher m = new LazyGrammarMatcher(cg, List.of(), new int[] {tag});
        m.accept(GrammarMatcherTest.tokenOf("hello"));
        m.accept(tag);
        assertTrue(m.isTriggered());
        assertEquals(5, m.triggerOffset());
        assertThrows(IllegalArgumentException.class, () -> new LazyGrammarMatcher(cg, List.of("<call>"), new int[0]));
    }

    @Test
    void aControlTokenTriggerStartsTheGrammarRightAfterIt() {
        CompiledGrammar cg = CompiledGrammar.compile(JsonSchemaCompiler.compile("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"]}"), V.vocabulary());
        int control = V.size() - 2; // rendered empty, as control tokens are
        LazyGrammarMatcher m = new LazyGrammarMatcher(cg, List.of(), new int[] {control});
        m.accept(GrammarMatcherTest.tokenOf("hello"));
        m.accept(control);
        assertTrue(m.isTriggered());
        assertFalse(m.isAllowed(GrammarMatcherTest.tokenOf("hello")));
        assertTrue(m.isAllowed(GrammarMatcherTest.tokenOf("{\"")));
        assertThrows(IllegalArgumentException.class, () -> new LazyGrammarMatcher(cg, List.of(), new int[] {GrammarMatcherTest.tokenOf("hello")}));
    }

    private static byte[] bytes(List<Integer> tokens) {
        var out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            out.writeBytes(V.pieces()[t]);
        }
        return out.toByteArray();
    }
}
