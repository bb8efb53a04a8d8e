package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Buffers one job's events and hands them to {@code sink} in batches per {@link BatchPolicy}.
 * A flush merges each run of consecutive {@code token} events into one whose text is theirs
 * joined (IPIP-0024: one token event per flush, as the JS node sends), so a flush of 16 tokens is
 * one event, not 16 rows. Time is passed in (System.nanoTime values) so the policy is tested
 * without sleeping. Confined to the job's thread.
 */
final class EventBatcher {

    private final BatchPolicy policy;
    private final Consumer<ArrayNode> sink;
    private final List<ObjectNode> buffered = new ArrayList<>();
    private long oldestAt;

    EventBatcher(BatchPolicy policy, Consumer<ArrayNode> sink) {
        this.policy = policy;
        this.sink = sink;
    }

    void add(ObjectNode event, long nowNanos) {
        if (buffered.isEmpty()) {
            oldestAt = nowNanos;
        }
        buffered.add(event);
    }

    /** Nanoseconds until the buffer is due (0 when due now), or Long.MAX_VALUE when empty. */
    long nanosUntilDue(long nowNanos) {
        if (buffered.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (buffered.size() >= policy.maxBuffered()) {
            return 0;
        }
        return Math.max(0, oldestAt + policy.maxDelay().toNanos() - nowNanos);
    }

    void flushIfDue(long nowNanos) {
        if (nanosUntilDue(nowNanos) == 0) {
            flush();
        }
    }

    /** Sends everything buffered, tokens merged, in requests of at most maxPerRequest events. */
    void flush() {
        List<ObjectNode> merged = mergeTokens(buffered);
        for (int from = 0; from < merged.size(); from += policy.maxPerRequest()) {
            ArrayNode batch = Json.array();
            merged.subList(from, Math.min(merged.size(), from + policy.maxPerRequest())).forEach(batch::add);
            sink.accept(batch);
        }
        buffered.clear();
    }

    /** {@code events} with each run of consecutive token events replaced by one holding their joined text. */
    static List<ObjectNode> mergeTokens(List<ObjectNode> events) {
        List<ObjectNode> out = new ArrayList<>(events.size());
        StringBuilder run = null;
        for (ObjectNode e : events) {
            if ("token".equals(e.path("event_type").asText())) {
                if (run == null) {
                    run = new StringBuilder();
                }
                run.append(e.path("data").path("text").asText(""));
                continue;
            }
            if (run != null) {
                out.add(JobEvents.token(run.toString()));
                run = null;
            }
            out.add(e);
        }
        if (run != null) {
            out.add(JobEvents.token(run.toString()));
        }
        return out;
    }

    int buffered() {
        return buffered.size();
    }
}
