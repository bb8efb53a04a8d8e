package io.infernet.node.protocol.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Throughput of recently completed chat jobs, for the heartbeat's {@code bench}: the mean of
 * each job's tokens per second over the jobs finished within {@code window} (at most
 * {@code maxSamples}, the newest kept). Thread-safe.
 */
public final class BenchWindow {

    /**
     * @param tokensPerSecondAvg null when there are no samples (the control plane then uses its default)
     * @param windowStartedAt    when the oldest sample began, or null
     */
    public record Snapshot(Double tokensPerSecondAvg, int samples, Instant windowStartedAt) {}

    private record Sample(Instant startedAt, Instant finishedAt, double tokensPerSecond) {}

    private final Duration window;
    private final int maxSamples;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public BenchWindow(Duration window, int maxSamples) {
        if (window.isNegative() || window.isZero() || maxSamples < 1) {
            throw new IllegalArgumentException("bench window needs window > 0 and maxSamples >= 1");
        }
        this.window = window;
        this.maxSamples = maxSamples;
    }

    /** One finished generation: {@code tokens} generated in {@code duration}; ignored when either is zero. */
    public synchronized void record(int tokens, Duration duration, Instant finishedAt) {
        if (tokens <= 0 || duration.isZero() || duration.isNegative()) {
            return;
        }
        double tps = tokens / (duration.toNanos() / 1e9);
        samples.addLast(new Sample(finishedAt.minus(duration), finishedAt, tps));
        while (samples.size() > maxSamples) {
            samples.removeFirst();
        }
    }

    public synchronized Snapshot snapshot(Instant now) {
        Instant cutoff = now.minus(window);
        while (!samples.isEmpty() && samples.peekFirst().finishedAt().isBefore(cutoff)) {
            samples.removeFirst();
        }
        if (samples.isEmpty()) {
            return new Snapshot(null, 0, null);
        }
        double sum = 0;
        Instant oldest = samples.peekFirst().startedAt();
        for (Sample s : samples) {
            sum += s.tokensPerSecond();
            if (s.startedAt().isBefore(oldest)) {
                oldest = s.startedAt();
            }
        }
        double avg = Math.round(sum / samples.size() * 100.0) / 100.0;
        return new Snapshot(avg, samples.size(), oldest);
    }
}
