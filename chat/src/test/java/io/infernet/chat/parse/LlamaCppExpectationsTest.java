package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parses llama.cpp's own tests ({@code tests/test-chat.cpp} at our pin) expect, for the same
 * templates, outputs and request conditions, reproduced by our parser, whole and streamed. As in
 * those tests, content and reasoning are compared without surrounding whitespace and arguments as
 * JSON; ours must also be compact.
 */
class LlamaCppExpectationsTest {

    @TestFactory
    List<DynamicTest> llamaCppParsesAreReproduced() {
        JsonNode file = Parsing.resource("llamacpp-expectations.json");
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        file.get("tools").properties().forEach(e -> schemas.put(e.getKey(), e.getValue()));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : file.get("cases")) {
            String name = c.get("source").asText() + " " + c.get("template").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> check(c, schemas)));
        }
        assertTrue(tests.size() >= 80, "fixture file lost entries: " + tests.size());
        return tests;
    }

    private static void check(JsonNode c, Map<String, JsonNode> schemas) {
        Map<String, JsonNode> tools = new LinkedHashMap<>();
        c.get("tools").forEach(t -> tools.put(t.asText(), schemas.get(t.asText())));
        String tail = c.get("promptTail").asText();
        OutputFormat format = Parsing.format(c);
        String output = c.get("output").asText();
        ParsedMessage parsed = Parsing.parseEveryWay(format,
                () -> Parsing.options().withPromptTail(tail).withTools(tools).withToolCalls(!tools.isEmpty()), output, output.hashCode());
        assertEquals(c.get("content").asText().strip(), parsed.content().strip(), "content");
        assertEquals(c.get("reasoningContent").asText().strip(), parsed.reasoningContent().strip(), "reasoning");
        List<ToolCall> expected = Parsing.calls(c);
        assertEquals(expected.size(), parsed.toolCalls().size(), () -> "calls: " + parsed.toolCalls());
        for (int i = 0; i < expected.size(); i++) {
            ToolCall e = expected.get(i);
            ToolCall a = parsed.toolCalls().get(i);
            assertEquals(e.name(), a.name());
            assertEquals(e.id(), a.id());
            assertEquals(e.argumentsJson(), a.argumentsJson());
            Parsing.assertCompactJson(a.argumentsJson());
            assertTrue(a.complete());
        }
    }
}
