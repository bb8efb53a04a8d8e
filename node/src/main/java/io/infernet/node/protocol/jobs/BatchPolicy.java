package io.infernet.node.protocol.jobs;

import java.time.Duration;

/**
 * When buffered job events are posted: as soon as {@code maxBuffered} are waiting, or the
 * oldest has waited {@code maxDelay}, or the generation ended; at most {@code maxPerRequest}
 * per request (the control plane takes 1..200).
 */
public record BatchPolicy(int maxBuffered, Duration maxDelay, int maxPerRequest) {

    /** What the existing node does: 16 events or 250 ms; 200 per request. */
    public static final BatchPolicy DEFAULT = new BatchPolicy(16, Duration.ofMillis(250), 200);

    public BatchPolicy {
        if (maxBuffered < 1 || maxPerRequest < 1 || maxPerRequest > 200) {
            throw new IllegalArgumentException("need maxBuffered >= 1 and maxPerRequest in 1..200");
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must be >= 0");
        }
    }
}
