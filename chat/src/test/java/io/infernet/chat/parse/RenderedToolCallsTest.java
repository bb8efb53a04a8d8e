package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each corpus template's own rendering of an assistant turn with tool calls (obtained from
 * llama-server {@code /apply-template} at our pin, see {@code FIXTURES.md}) parses back into
 * exactly those calls, whole and streamed.
 */
class RenderedToolCallsTest {

    @TestFactory
    List<DynamicTest> everyRenderedTurnParsesBack() {
        JsonNode fixtures = Parsing.resource("rendered-tool-calls.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : fixtures) {
            tests.add(DynamicTest.dynamicTest(f.get("template").asText(), () -> check(f)));
        }
        assertTrue(tests.size() >= 55, "fixture file lost entries: " + tests.size());
        return tests;
    }

    private static void check(JsonNode f) {
        OutputFormat format = Parsing.format(f);
        String tail = f.get("promptTail").asText();
        String output = f.get("output").asText();
        ParsedMessage parsed = Parsing.parseEveryWay(format, () -> Parsing.options().withPromptTail(tail), output, output.hashCode());
        if (f.path("unparsed").asBoolean()) {
            assertEquals(List.of(), parsed.toolCalls(), "this family's calls are not parsed");
            assertTrue(parsed.content().contains("get_weather") && parsed.content().contains("Paris"), "unparsed calls stay content");
            return;
        }
        assertEquals(new ParsedMessage("", "", Parsing.calls(f)), parsed);
    }
}
