package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grammar hook and the parser agree: for every parsed format, text written from its
 * {@link CallSyntax} with random names and arguments parses back to the same calls, whole and
 * streamed at random cuts, alone and after content (and reasoning where the format has it).
 */
class CallSyntaxRoundTripTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int ROUNDS = 60;

    @TestFactory
    List<DynamicTest> renderedCallsParseBack() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ToolCallFormat f : ToolCallFormat.values()) {
            if (f.parsed() && f != ToolCallFormat.NONE) {
                tests.add(DynamicTest.dynamicTest(f.name(), () -> roundTrip(f)));
            }
        }
        return tests;
    }

    @Test
    void unparsedFamiliesHaveNoSyntax() {
        for (ToolCallFormat f : ToolCallFormat.values()) {
            OutputFormat format = OutputFormat.of(f, null);
            assertEquals(f.parsed() && f != ToolCallFormat.NONE, format.callSyntax() != null, f.name());
            assertEquals(format.callSyntax() != null, format.parsesToolCalls(), f.name());
        }
    }

    @Test
    void callSyntaxRejectsIncompleteDescriptions() {
        assertThrows(IllegalArgumentException.class, () -> new CallSyntax(List.of("<x>"), "", List.of(CallSyntax.Slot.NAME), "", "", null, null, true));
        assertThrows(IllegalArgumentException.class, () -> new CallSyntax(List.of("<x>"), "",
                List.of(CallSyntax.Slot.NAME, CallSyntax.Slot.ID, CallSyntax.Slot.ARGUMENTS), "", "", null, null, true));
        assertThrows(IllegalArgumentException.class, () -> CallSyntax.lit(""));
    }

    @Test
    void hermesSyntaxIsTheTemplatesOwnForm() {
        CallSyntax s = OutputFormat.of(ToolCallFormat.HERMES, null).callSyntax();
        assertEquals("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call>",
                s.render(List.of(new ToolCall("x", "get_weather", "{\"city\":\"Paris\"}"))));
        assertEquals(List.of("<tool_call>"), s.triggers());
        assertNull(s.arguments());
        CallSyntax q = OutputFormat.of(ToolCallFormat.QWEN3_CODER, null).callSyntax();
        assertEquals("<tool_call>\n<function=f>\n<parameter=a>\nx\n</parameter>\n<parameter=n>\n1\n</parameter>\n</function>\n</tool_call>",
                q.render(List.of(new ToolCall("x", "f", "{\"a\":\"x\",\"n\":1}"))));
        assertNotNull(q.arguments());
    }

    private static void roundTrip(ToolCallFormat f) {
        Random random = new Random(f.ordinal() * 7919L + 17);
        OutputFormat format = OutputFormat.of(f, f == ToolCallFormat.GPT_OSS ? null : ReasoningSyntax.THINK);
        CallSyntax syntax = format.callSyntax();
        assertNotNull(syntax, f.name());
        for (int round = 0; round < ROUNDS; round++) {
            int count = syntax.parallel() ? 1 + random.nextInt(3) : 1;
            List<ToolCall> calls = new ArrayList<>();
            Map<String, JsonNode> tools = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = name(random);
                ObjectNode args = arguments(random, f);
                tools.put(name, schemaOf(args));
                String id = syntax.call().contains(CallSyntax.Slot.ID) ? id(random, f) : null;
                calls.add(new ToolCall(id != null ? id : "", name, args.toString()));
            }
            String text = syntax.render(calls);
            String tail = f == ToolCallFormat.FUNCTIONARY_V3_2 ? ">>>" : f == ToolCallFormat.GPT_OSS ? "<|start|>assistant" : "";
            List<ToolCall> expected = expectedCalls(syntax, calls, f);
            ParsedMessage parsed = Parsing.parseEveryWay(format, () -> Parsing.options().withTools(tools).withPromptTail(tail), text, round,
                    round % 4 == 0, 4);
            assertEquals(new ParsedMessage("", "", expected), parsed, () -> f + " round-trip of\n" + text);

            if (precededByContent(f)) {
                String content = content(random);
                String reasoning = content(random);
                String full = "<think>" + reasoning + "</think>" + content + text;
                ParsedMessage withText = Parsing.parseEveryWay(format, () -> Parsing.options().withTools(tools), full, round + 1000,
                        round % 4 == 1, 4);
                String beforeTrigger = text.substring(0, text.indexOf(syntax.triggers().getFirst().substring(0, 1)));
                assertEquals(new ParsedMessage(content + beforeTrigger, reasoning.strip(), expected), withText, () -> f + " after content:\n" + full);
            }
        }
    }

    /** Formats whose calls can follow text in the same output. */
    private static boolean precededByContent(ToolCallFormat f) {
        return switch (f) {
            case GENERIC, FUNCTIONARY_V3_2, GPT_OSS, GIGACHAT_3 -> false;
            default -> true;
        };
    }

    private static List<ToolCall> expectedCalls(CallSyntax syntax, List<ToolCall> calls, ToolCallFormat f) {
        List<ToolCall> expected = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            String id = "gen_" + i;
            if (syntax.call().contains(CallSyntax.Slot.ID)) {
                id = c.id();
            } else if (f == ToolCallFormat.KIMI_K2) {
                id = "functions." + c.name() + ":" + i;
            } else if (f == ToolCallFormat.COMMAND_R7B) {
                id = Integer.toString(i);
            }
            expected.add(new ToolCall(id, c.name(), c.argumentsJson()));
        }
        return expected;
    }

    private static String name(Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        StringBuilder s = new StringBuilder();
        s.append((char) ('a' + random.nextInt(26)));
        int n = random.nextInt(20);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static String id(Random random, ToolCallFormat f) {
        String alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder();
        int n = f == ToolCallFormat.SOLAR_OPEN ? 5 + random.nextInt(20) : 9;
        for (int i = 0; i < n; i++) {
            s.append(alnum.charAt(random.nextInt(alnum.length())));
        }
        return s.toString();
    }

    /** Random arguments; strings avoid what a raw-string format cannot carry. */
    private static ObjectNode arguments(Random random, ToolCallFormat f) {
        ObjectNode args = NODES.objectNode();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            args.set("k" + i + "_" + (char) ('a' + random.nextInt(26)), value(random, f, 0));
        }
        return args;
    }

    private static JsonNode value(Random random, ToolCallFormat f, int depth) {
        int kind = random.nextInt(depth < 2 ? 8 : 5);
        return switch (kind) {
            case 0, 1 -> NODES.textNode(string(random, f));
            case 2 -> NODES.numberNode(random.nextInt(2_000_000) - 1_000_000);
            case 3 -> NODES.numberNode(random.nextInt(1000) / 8.0);
            case 4 -> random.nextBoolean() ? NODES.booleanNode(random.nextBoolean()) : NODES.nullNode();
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                int m = random.nextInt(3);
                for (int i = 0; i < m; i++) {
                    a.add(value(random, f, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                int m = random.nextInt(3);
                for (int i = 0; i < m; i++) {
                    o.set("n" + i, value(random, f, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String string(Random random, ToolCallFormat f) {
        boolean raw = OutputFormat.of(f, null).callSyntax().arguments() != null;
        String alphabet = f == ToolCallFormat.LFM2 ? "abc xyz019_.,:;!?-é漢" : raw ? "abc xyz019_.,:;!?-\"'\\{}[]é漢\t<>/=" : "abc xyz019_.,:;!?-\"'\\{}[]é漢\n\t<>/=|";
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        if (raw && f != ToolCallFormat.LFM2 && random.nextInt(4) == 0) {
            s.append("\nsecond line");
        }
        return s.toString();
    }

    /** Content that cannot form a marker by chance but has marker characters in it. */
    private static String content(Random random) {
        String alphabet = "Hello world 12 ? ! < > [ ] | / \n é";
        StringBuilder s = new StringBuilder("T");
        int n = random.nextInt(30);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** A schema typing each argument as generated, so that tagged values are typed by it. */
    private static JsonNode schemaOf(ObjectNode args) {
        ObjectNode properties = NODES.objectNode();
        args.properties().forEach(e -> properties.set(e.getKey(), NODES.objectNode().put("type", switch (e.getValue().getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case ARRAY -> "array";
            default -> "object";
        })));
        ObjectNode schema = NODES.objectNode().put("type", "object");
        schema.set("properties", properties);
        assertTrue(schema.isObject());
        return schema;
    }
}
