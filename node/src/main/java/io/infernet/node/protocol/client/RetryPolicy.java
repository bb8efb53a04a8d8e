package io.infernet.node.protocol.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often a retryable call is tried: at most {@code maxAttempts} attempts; before retry k
 * (k = 1, 2, ...) the caller sleeps a random time in [d/2, d] with
 * d = min(maxDelay, baseDelay x 2^(k-1)) ("equal jitter").
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** 4 attempts, 0.5 s, 1 s, 2 s apart (before jitter). */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8));
    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("retry delays must be >= 0");
        }
    }

    /** The sleep before retry {@code retry} (1-based). */
    public Duration delayBefore(int retry, RandomGenerator random) {
        long base = baseDelay.toMillis();
        long cap = maxDelay.toMillis();
        long d = Math.min(cap, base << Math.min(30, retry - 1));
        if (d <= 1) {
            return Duration.ofMillis(d);
        }
        return Duration.ofMillis(d / 2 + random.nextLong(d - d / 2 + 1));
    }
}
