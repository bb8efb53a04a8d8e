package io.infernet.node.protocol.jobs;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBatcherTest {

    private final List<ArrayNode> batches = new ArrayList<>();
    private static final long MS = 1_000_000L;

    @Test
    void flushesAtSixteenBufferedOrAfter250ms() {
        EventBatcher b = new EventBatcher(BatchPolicy.DEFAULT, batches::add);
        assertEquals(Long.MAX_VALUE, b.nanosUntilDue(0));
        b.add(JobEvents.token("a"), 0);
        assertEquals(250 * MS, b.nanosUntilDue(0));
        assertEquals(10 * MS, b.nanosUntilDue(240 * MS));
        b.flushIfDue(249 * MS);
        assertEquals(0, batches.size());
        b.flushIfDue(250 * MS);
        assertEquals(1, batches.size());
        for (int i = 0; i < 15; i++) {
            b.add(JobEvents.token("x"), 300 * MS);
        }
        b.flushIfDue(301 * MS);
        assertEquals(1, batches.size(), "15 buffered, 1 ms old: not due");
        b.add(JobEvents.token("y"), 302 * MS);
        assertEquals(0, b.nanosUntilDue(302 * MS));
        b.flushIfDue(302 * MS);
        assertEquals(1, batches.get(1).size(), "16 tokens flushed as one merged event");
        assertEquals("x".repeat(15) + "y", batches.get(1).get(0).at("/data/text").asText());
    }

    /** IPIP-0024 as the issue states it (the reference snapshot predates it): one token event per flush, order kept. */
    @Test
    void aFlushMergesEachRunOfTokensIntoOneEvent() {
        EventBatcher b = new EventBatcher(BatchPolicy.DEFAULT, batches::add);
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        b.add(JobEvents.meta("n", "name", "m", t, "in-process"), 0);
        for (String s : new String[] {"Hel", "lo", ",", " wor", "ld"}) {
            b.add(JobEvents.token(s), 0);
        }
        b.add(JobEvents.done("Hello, world", "stop", t, null), 0);
        b.flush();
        ArrayNode only = batches.getFirst();
        assertEquals(List.of("meta", "token", "done"), types(only));
        assertEquals("Hello, world", only.get(1).at("/data/text").asText());
        assertEquals(List.of("token", "error", "token"), types(Json.MAPPER.valueToTree(EventBatcher.mergeTokens(List.of(
                JobEvents.token("a"), JobEvents.token("b"), JobEvents.error("x"), JobEvents.token("c"))))));
    }

    private static List<String> types(com.fasterxml.jackson.databind.JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.get("event_type").asText()));
        return out;
    }

    @Test
    void splitsIntoRequestsOfAtMost200() {
        EventBatcher b = new EventBatcher(new BatchPolicy(1000, Duration.ofSeconds(1), 200), batches::add);
        for (int i = 0; i < 450; i++) {
            b.add(JobEvents.error("e" + i), 0); // events that are not merged
        }
        b.flush();
        assertEquals(List.of(200, 200, 50), batches.stream().map(ArrayNode::size).toList());
        assertEquals("e200", batches.get(1).get(0).at("/data/message").asText());
        assertEquals(0, b.buffered());
    }

    @Test
    void chatInputDefaultsAndErrors() throws Exception {
        // Read as the HTTP API reads messages: text parts joined with newlines, developer is system.
        ChatInput in = ChatInput.parse(Json.MAPPER.readTree("{\"messages\":[{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]}"));
        assertEquals("a\nb", in.messages().getFirst().content());
        assertEquals("system", in.messages().getFirst().role());
        assertEquals(ChatInput.DEFAULT_MAX_TOKENS, in.maxTokens());
        assertEquals(ChatInput.DEFAULT_TEMPERATURE, in.temperature());
        String[][] bad = {
                {"[]", "invalid input_spec: expected an object with messages, max_tokens, temperature"},
                {"{\"messages\":[{\"role\":7,\"content\":\"x\"}]}", "invalid input_spec: messages[0].role must be a string, got a number."},
                {"{\"messages\":[{\"role\":\"robot\"}]}", "invalid input_spec: Missing required parameter: 'messages[0].content'."},
                {"{\"messages\":[{\"role\":\"user\"}]}", "invalid input_spec: Missing required parameter: 'messages[0].content'."},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}", "invalid input_spec: max_tokens must be an integer >= 1"},
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}", "invalid input_spec: temperature must be a number in [0, 2]"},
        };
        for (String[] c : bad) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ChatInput.parse(Json.MAPPER.readTree(c[0])));
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void benchWindowAveragesRecentJobs() {
        BenchWindow w = new BenchWindow(Duration.ofMinutes(10), 3);
        java.time.Instant t = java.time.Instant.parse("2025-01-01T00:00:00Z");
        assertEquals(new BenchWindow.Snapshot(null, 0, null), w.snapshot(t));
        w.record(100, Duration.ofSeconds(2), t);            // 50 tok/s
        w.record(30, Duration.ofSeconds(1), t.plusSeconds(5)); // 30 tok/s
        var s = w.snapshot(t.plusSeconds(6));
        assertEquals(40.0, s.tokensPerSecondAvg());
        assertEquals(2, s.samples());
        assertEquals(t.minusSeconds(2), s.windowStartedAt());
        assertEquals(0, w.snapshot(t.plusSeconds(11 * 60)).samples(), "old samples leave the window");
    }
}
