package io.infernet.chat.parse;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Random splices of markers, call fragments and JSON pieces, for every family: the parser never
 * throws, streaming at random cuts always adds up to the whole parse, every call has a name, and
 * every call it reports complete has compact JSON arguments.
 */
class FuzzTest {

    private static final int CASES = Integer.getInteger("infernet.fuzz.cases", 150);

    @TestFactory
    List<DynamicTest> anyTextParsesTheSameWholeAndStreamed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ToolCallFormat f : ToolCallFormat.values()) {
            tests.add(DynamicTest.dynamicTest(f.name(), () -> fuzz(f)));
        }
        return tests;
    }

    private static void fuzz(ToolCallFormat f) {
        OutputFormat format = OutputFormat.of(f, f == ToolCallFormat.GPT_OSS ? null : ReasoningSyntax.THINK);
        List<String> pieces = pieces(format);
        Random random = new Random(f.ordinal() * 31L + 5);
        for (int i = 0; i < CASES; i++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int j = 0; j < n; j++) {
                String piece = pieces.get(random.nextInt(pieces.size()));
                if (random.nextInt(5) == 0 && piece.length() > 1) {
                    piece = piece.substring(0, 1 + random.nextInt(piece.length() - 1));
                }
                text.append(piece);
            }
            String t = text.toString();
            ParsedMessage m = Parsing.parseEveryWay(format, Parsing::options, t, i, i % 10 == 0, 3);
            for (ToolCall call : m.toolCalls()) {
                assertFalse(call.name().isEmpty(), t);
                if (call.complete()) {
                    // valid and compact by the JSON grammar (duplicate keys, which a swallowed tag can produce, are valid JSON)
                    assertEquals(call.argumentsJson(), ArgumentValues.compactJson(call.argumentsJson()), t);
                }
            }
        }
    }

    private static List<String> pieces(OutputFormat format) {
        List<String> pieces = new ArrayList<>(List.of("<think>", "</think>", "\n", " ", "Hello", "{", "}", "[", "]", "\"", ":", ",",
                "\"name\": \"f\"", "\"arguments\": ", "{\"a\": 1}", "\"x\\\"y\"", "<", ">", "</", "=", "😀", "\\", "true", "-1.5e2"));
        for (Dialect.Trigger t : format.dialect().triggers()) {
            pieces.add(t.text());
        }
        pieces.addAll(format.dialect().stripMarkers());
        CallSyntax syntax = format.callSyntax();
        if (syntax != null) {
            for (CallSyntax.Part p : syntax.call()) {
                if (p instanceof CallSyntax.Literal l) {
                    pieces.add(l.text());
                }
            }
            pieces.add(syntax.render(List.of(new ToolCall("abc123def", "f", "{\"a\":\"b\",\"n\":2}"))));
            pieces.add(syntax.separator().isEmpty() ? "\n" : syntax.separator());
            if (!syntax.suffix().isEmpty()) {
                pieces.add(syntax.suffix());
            }
        }
        if (format.toolFormat() == ToolCallFormat.GPT_OSS) {
            pieces.addAll(List.of("<|channel|>analysis<|message|>", "<|channel|>final<|message|>", "<|end|>", "<|start|>assistant",
                    "<|call|>", " to=functions.f", "<|constrain|>json"));
        }
        return pieces;
    }
}
