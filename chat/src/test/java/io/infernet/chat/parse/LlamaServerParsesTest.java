package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinned llama-server's own parse of each corpus template's rendered tool-call turn
 * ({@code llama-server-parses.json}, see FIXTURES.md), against ours on the very same text: where
 * it returns tool calls and we parse the family, names and arguments agree (ours written
 * compactly). Where it answers 500 ("does not match the expected format") we still parse the
 * calls; RenderedToolCallsTest checks those.
 */
class LlamaServerParsesTest {

    @Test
    void whereLlamaServerFindsCallsWeFindTheSame() throws IOException {
        Map<String, JsonNode> formats = new TreeMap<>();
        for (JsonNode f : Parsing.resource("rendered-tool-calls.json")) {
            formats.put(f.get("template").asText() + "\n" + f.get("output").asText(), f);
        }
        int compared = 0;
        List<String> serverErrors = new ArrayList<>();
        for (JsonNode c : Parsing.resource("llama-server-parses.json")) {
            JsonNode fixture = formats.get(c.get("template").asText() + "\n" + c.get("output").asText());
            JsonNode server = c.get("server");
            if (server.has("error")) {
                serverErrors.add(c.get("template").asText());
                continue;
            }
            OutputFormat format = Parsing.format(fixture);
            if (server.get("tool_calls").isEmpty() || !format.parsesToolCalls()) {
                continue;
            }
            ParsedMessage ours = Parsing.whole(format, Parsing.options().withPromptTail(fixture.get("promptTail").asText()),
                    c.get("output").asText());
            assertEquals(server.get("tool_calls").size(), ours.toolCalls().size(), c.get("template").asText());
            for (int i = 0; i < ours.toolCalls().size(); i++) {
                JsonNode expected = server.get("tool_calls").get(i);
                ToolCall actual = ours.toolCalls().get(i);
                assertEquals(expected.get("name").asText(), actual.name(), c.get("template").asText());
                assertEquals(Parsing.JSON.readTree(expected.get("arguments").asText()), Parsing.JSON.readTree(actual.argumentsJson()),
                        c.get("template").asText());
                Parsing.assertCompactJson(actual.argumentsJson());
            }
            compared++;
        }
        assertTrue(compared >= 45, "only " + compared + " templates compared");
        assertEquals(7, serverErrors.size(), "templates llama-server could not parse: " + serverErrors);
    }
}
