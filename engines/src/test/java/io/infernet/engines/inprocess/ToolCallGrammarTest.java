package io.infernet.engines.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.infernet.chat.parse.CallSyntax;
import io.infernet.chat.parse.ChatOutputParser;
import io.infernet.chat.parse.OutputFormat;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ParserOptions;
import io.infernet.chat.parse.ToolCall;
import io.infernet.chat.parse.ToolCallFormat;
import io.infernet.engines.DecodingOptions.ToolCallConstraint.Tool;
import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.GrammarException;
import io.infernet.grammar.GrammarMatcher;
import io.infernet.grammar.TokenMask;
import io.infernet.grammar.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Tool-call grammars in every call syntax the chat module knows: random walks through each grammar
 * (a random-weight model's worst case: any allowed token, uniformly, under a budget that forces the
 * end) always give text that the chat module's own parser reads as calls of the request's tools,
 * with arguments that validate against the tool's parameters.
 */
class ToolCallGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("get_weather", """
                {"type":"object","properties":{"city":{"type":"string","minLength":1,"maxLength":12},"unit":{"enum":["celsius","fahrenheit"]},
                 "days":{"type":"integer","minimum":1,"maximum":7}},"required":["city","unit"],"additionalProperties":false}""");
        TOOLS.put("add", """
                {"type":"object","properties":{"a":{"type":"integer","minimum":0,"maximum":1000},"b":{"type":"integer"}},
                 "required":["a","b"],"additionalProperties":false}""");
    }

    static List<Tool> tools() {
        return TOOLS.entrySet().stream().map(e -> new Tool(e.getKey(), e.getValue())).toList();
    }

    /** Every byte as a token of its own, plus a few longer pieces and an end-of-generation token. */
    static final class Bytes {
        final byte[][] pieces;
        final int eog;

        Bytes() {
            List<byte[]> p = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                p.add(new byte[] {(byte) b});
            }
            for (String s : List.of("{\"", "\": ", "\", \"", "name", "arguments", "get_weather", "<tool_call>", "celsius", " 1")) {
                p.add(s.getBytes(StandardCharsets.UTF_8));
            }
            p.add(new byte[0]); // the end-of-generation token renders empty
            pieces = p.toArray(byte[][]::new);
            eog = pieces.length - 1;
        }

        Vocabulary vocabulary() {
            return Vocabulary.of(pieces, new int[] {eog});
        }
    }

    static final Bytes V = new Bytes();
    static final Vocabulary VOCAB = V.vocabulary();

    static List<ToolCallFormat> formats() {
        List<ToolCallFormat> out = new ArrayList<>();
        for (ToolCallFormat f : ToolCallFormat.values()) {
            if (f != ToolCallFormat.NONE && f.parsed() && OutputFormat.of(f, null).callSyntax() != null) {
                out.add(f);
            }
        }
        return out;
    }

    /** A uniformly random walk through the grammar within {@code budget} tokens; the text. */
    static String walk(CompiledGrammar g, SplittableRandom r, int budget) {
        GrammarMatcher m = g.matcher();
        long[] mask = TokenMask.allocate(VOCAB.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int left = budget; left > 0 && !m.isComplete(); left--) {
            m.fillMask(mask, left);
            List<Integer> allowed = new ArrayList<>();
            for (int t = 0; t < VOCAB.size(); t++) {
                if (TokenMask.isAllowed(mask, t)) {
                    allowed.add(t);
                }
            }
            assertFalse(allowed.isEmpty(), "a dead end after " + out);
            int t = allowed.get(r.nextInt(allowed.size()));
            m.accept(t);
            if (t == V.eog) {
                break;
            }
            out.writeBytes(V.pieces[t]);
        }
        assertTrue(m.canTerminate(), "not complete within the budget: " + out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static void assertValidCalls(ToolCallFormat format, String text, boolean parallel) throws Exception {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (var e : TOOLS.entrySet()) {
            byName.put(e.getKey(), JSON.readTree(e.getValue()));
        }
        // Functionary v3.2's generation prompt ends in ">>>": its output starts inside the first call
        String tail = format == ToolCallFormat.FUNCTIONARY_V3_2 ? ">>>" : "";
        ParsedMessage msg = ChatOutputParser.parse(OutputFormat.of(format, null), text,
                ParserOptions.defaults().withTools(byName).withPromptTail(tail));
        assertTrue(msg.hasToolCalls(), format + ": no call parsed from " + text);
        if (!parallel) {
            assertEquals(1, msg.toolCalls().size(), format + ": " + text);
        }
        assertEquals("", msg.content().strip(), format + ": text outside the calls in " + text);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        for (ToolCall call : msg.toolCalls()) {
            assertTrue(call.complete(), format + ": " + text);
            assertTrue(TOOLS.containsKey(call.name()), format + ": " + call.name());
            JsonSchema params = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(TOOLS.get(call.name()), config);
            assertEquals(Set.of(), params.validate(JSON.readTree(call.argumentsJson())), format + ": " + text + " -> " + call);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void everyWalkIsAValidCallInTheModelsSyntax(ToolCallFormat format) throws Exception {
        CallSyntax syntax = OutputFormat.of(format, null).callSyntax();
        SplittableRandom r = new SplittableRandom(format.ordinal());
        for (boolean parallel : new boolean[] {false, true}) {
            CompiledGrammar g = CompiledGrammar.compile(ToolCallGrammar.build(syntax, tools(), parallel), VOCAB);
            for (int i = 0; i < 12; i++) {
                assertValidCalls(format, walk(g, r, 400), parallel);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void aNamedFunctionIsTheOnlyOneCalled(ToolCallFormat format) throws Exception {
        CallSyntax syntax = OutputFormat.of(format, null).callSyntax();
        CompiledGrammar g = CompiledGrammar.compile(ToolCallGrammar.build(syntax, List.of(tools().get(1)), false), VOCAB);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 6; i++) {
            String text = walk(g, r, 300);
            assertValidCalls(format, text, false);
            assertTrue(text.contains("add"), text);
        }
    }

    @Test
    void aToolWithoutParametersTakesAnEmptyObject() throws Exception {
        CallSyntax syntax = OutputFormat.of(ToolCallFormat.HERMES, null).callSyntax();
        CompiledGrammar g = CompiledGrammar.compile(ToolCallGrammar.build(syntax, List.of(new Tool("ping", "{}")), false), VOCAB);
        String text = walk(g, new SplittableRandom(1), 100);
        ParsedMessage msg = ChatOutputParser.parse(OutputFormat.of(ToolCallFormat.HERMES, null), text, ParserOptions.defaults());
        assertEquals("ping", msg.toolCalls().getFirst().name());
        assertEquals(JSON.readTree("{}"), JSON.readTree(msg.toolCalls().getFirst().argumentsJson()));
    }

    @Test
    void unsupportedParametersAreRefusedNamingTheToolAndKeyword() {
        CallSyntax json = OutputFormat.of(ToolCallFormat.HERMES, null).callSyntax();
        GrammarException e = assertThrows(GrammarException.class, () -> ToolCallGrammar.build(json,
                List.of(new Tool("f", "{\"type\":\"object\",\"properties\":{\"x\":{\"not\":{}}}}")), false));
        assertTrue(e.getMessage().contains("tool 'f'") && e.getMessage().contains("not"), e.getMessage());
        CallSyntax tagged = OutputFormat.of(ToolCallFormat.QWEN3_CODER, null).callSyntax();
        GrammarException t = assertThrows(GrammarException.class, () -> ToolCallGrammar.build(tagged,
                List.of(new Tool("f", "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"pattern\":\"^a$\"}}}")), false));
        assertTrue(t.getMessage().contains("pattern") && t.getMessage().contains("'x'"), t.getMessage());
    }
}
