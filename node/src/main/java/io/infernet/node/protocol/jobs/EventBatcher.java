package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Buffers one job's events and hands them to {@code sink} in batches per {@link BatchPolicy}.
 * Time is passed in (System.nanoTime values) so the policy is tested without sleeping.
 * Confined to the job's thread.
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

    /** Sends everything buffered, in requests of at most maxPerRequest events. */
    void flush() {
        for (int from = 0; from < buffered.size(); from += policy.maxPerRequest()) {
            ArrayNode batch = Json.array();
            buffered.subList(from, Math.min(buffered.size(), from + policy.maxPerRequest())).forEach(batch::add);
            sink.accept(batch);
        }
        buffered.clear();
    }

    int buffered() {
        return buffered.size();
    }
}
