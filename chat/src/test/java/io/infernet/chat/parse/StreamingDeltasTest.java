package io.infernet.chat.parse;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The exact deltas a stream produces: what is sent at once, what is held back and for how long. */
class StreamingDeltasTest {

    private static final OutputFormat HERMES = OutputFormat.of(ToolCallFormat.HERMES, ReasoningSyntax.THINK);

    @Test
    void holdsBackOnlyWhatCouldStillBeAMarker() {
        ChatOutputParser p = HERMES.parser(Parsing.options());
        assertEquals(List.of(), p.feed("<thi"));
        assertEquals(List.of(new ChatDelta.Reasoning("hmm")), p.feed("nk>hmm"));
        assertEquals(List.of(), p.feed(" </"));
        assertEquals(List.of(), p.feed("think>\n"));
        assertEquals(List.of(new ChatDelta.Content("Hello ")), p.feed("Hello <tool"));
        assertEquals(List.of(), p.feed("_call>\n{\"name\": \"get_"));
        assertEquals(List.of(new ChatDelta.ToolCallDelta(0, "gen_0", "get_weather", "")), p.feed("weather\", "));
        assertEquals(List.of(new ChatDelta.ToolCallDelta(0, null, null, "{\"city\":\"Par")), p.feed("\"arguments\": {\"city\": \"Par"));
        assertEquals(List.of(new ChatDelta.ToolCallDelta(0, null, null, "is\"}"), new ChatDelta.ToolCallEnd(0, true)), p.feed("is\"}}\n</tool"));
        assertEquals(List.of(), p.feed("_call>\n"));
        assertEquals(List.of(), p.finish());
        assertEquals(new ParsedMessage("Hello ", "hmm", List.of(new ToolCall("gen_0", "get_weather", "{\"city\":\"Paris\"}"))), p.message());
    }

    @Test
    void aTriggerThatTurnsOutNotToBeACallIsReleasedAsContent() {
        ChatOutputParser p = HERMES.parser(Parsing.options());
        List<ChatDelta> deltas = new ArrayList<>(p.feed("A <tool_call> is written like <tool_call>{\"name\": \"f\"} x"));
        deltas.addAll(p.finish());
        assertEquals("A <tool_call> is written like ", ((ChatDelta.Content) deltas.getFirst()).text());
        assertEquals(new ParsedMessage("A <tool_call> is written like x", "", List.of(new ToolCall("gen_0", "f", "{}"))), p.message());
    }

    @Test
    void parallelCallsAreIndexedInOrder() {
        ChatOutputParser p = HERMES.parser(Parsing.options());
        List<ChatDelta> deltas = new ArrayList<>(p.feed("<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n"
                + "<tool_call>{\"name\": \"b\", \"arguments\": {\"x\": 1}}</tool_call>"));
        deltas.addAll(p.finish());
        assertEquals(List.of(new ChatDelta.ToolCallDelta(0, "gen_0", "a", "{}"), new ChatDelta.ToolCallEnd(0, true),
                new ChatDelta.ToolCallDelta(1, "gen_1", "b", "{\"x\":1}"), new ChatDelta.ToolCallEnd(1, true)), deltas);
    }

    @Test
    void theParserIsUsedOnce() {
        ChatOutputParser p = HERMES.parser(Parsing.options());
        p.finish();
        assertThrows(IllegalStateException.class, () -> p.feed("x"));
        assertThrows(IllegalStateException.class, p::finish);
    }

    @Test
    void deltasRejectWhatOpenAiWouldNotSend() {
        assertThrows(IllegalArgumentException.class, () -> new ChatDelta.Content(""));
        assertThrows(IllegalArgumentException.class, () -> new ChatDelta.ToolCallDelta(0, "id", null, ""));
        assertThrows(IllegalArgumentException.class, () -> new ChatDelta.ToolCallDelta(0, null, null, ""));
        assertThrows(IllegalArgumentException.class,
                () -> ParsedMessage.fold(List.of(new ChatDelta.ToolCallDelta(1, "id", "f", ""))));
    }

    @Test
    void idsAreOpenAiStyle() {
        String id = ParserOptions.randomCallId();
        assertEquals(29, id.length());
        assertEquals(true, id.matches("call_[A-Za-z0-9]{24}"));
    }
}
