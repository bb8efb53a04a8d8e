package io.infernet.node.protocol.daemon;

import io.infernet.node.protocol.client.RetryPolicy;
import io.infernet.node.protocol.jobs.BatchPolicy;
import io.infernet.node.protocol.jobs.ProviderInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the daemon behaves.
 *
 * @param role             provider | aggregator | client (only providers take jobs)
 * @param provider         node id and display name
 * @param address          advertised address, or null (never sent when {@code advertise} is false)
 * @param port             advertised port, or null (never sent when {@code advertise} is false)
 * @param advertise        false with --no-advertise: address and port are never sent
 * @param heartbeatEvery   heartbeat period (30 s)
 * @param jobPollEvery     job poll period (15 s)
 * @param commandPollEvery command poll period (30 s)
 * @param concurrencyCap   jobs run at once; also advertised as load.concurrency_cap
 * @param workloadClasses  advertised workload classes (subset of A, B, B.5, C)
 * @param batch            event batching
 * @param outboxBackoff    the outbox drainer's pause between failed attempts
 * @param shutdownGrace    how long shutdown waits for cancelled jobs to post their last events
 * @param price            the price offer sent with register (providers), or null for none
 * @param gpuModel         the GPU model sent with register, or null for the first detected GPU's
 */
public record DaemonSettings(
        String role,
        ProviderInfo provider,
        String address,
        Integer port,
        boolean advertise,
        Duration heartbeatEvery,
        Duration jobPollEvery,
        Duration commandPollEvery,
        int concurrencyCap,
        List<String> workloadClasses,
        BatchPolicy batch,
        RetryPolicy outboxBackoff,
        Duration shutdownGrace,
        Double price,
        String gpuModel) {

    private static final Set<String> ROLES = Set.of("provider", "aggregator", "client");
    private static final Set<String> CLASSES = Set.of("A", "B", "B.5", "C");

    public DaemonSettings {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be provider, aggregator or client, got '" + role + "'");
        }
        Objects.requireNonNull(provider, "provider");
        for (Duration d : List.of(heartbeatEvery, jobPollEvery, commandPollEvery, shutdownGrace)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("daemon intervals must be > 0");
            }
        }
        if (concurrencyCap < 1) {
            throw new IllegalArgumentException("concurrency cap must be >= 1, got " + concurrencyCap);
        }
        workloadClasses = List.copyOf(workloadClasses);
        for (String c : workloadClasses) {
            if (!CLASSES.contains(c)) {
                throw new IllegalArgumentException("unknown workload class '" + c + "'; use A, B, B.5 or C");
            }
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port must be in 1..65535, got " + port);
        }
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(outboxBackoff, "outboxBackoff");
        if (price != null && (!Double.isFinite(price) || price < 0)) {
            throw new IllegalArgumentException("price must be a number >= 0, got " + price);
        }
        if (gpuModel != null && (gpuModel.isBlank() || gpuModel.length() > 64)) {
            throw new IllegalArgumentException("gpu model must be 1..64 characters, got '" + gpuModel + "'");
        }
    }

    /** The existing node's timings: heartbeat 30 s, jobs 15 s, commands 30 s; 4 concurrent jobs; class A. */
    public static DaemonSettings defaults(String role, ProviderInfo provider, String address, Integer port, boolean advertise) {
        return new DaemonSettings(role, provider, address, port, advertise,
                Duration.ofSeconds(30), Duration.ofSeconds(15), Duration.ofSeconds(30), 4, List.of("A"),
                BatchPolicy.DEFAULT, new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(60)), Duration.ofSeconds(10), null, null);
    }

    public DaemonSettings withIntervals(Duration heartbeat, Duration jobPoll, Duration commandPoll) {
        return new DaemonSettings(role, provider, address, port, advertise, heartbeat, jobPoll, commandPoll,
                concurrencyCap, workloadClasses, batch, outboxBackoff, shutdownGrace, price, gpuModel);
    }

    public DaemonSettings withConcurrencyCap(int cap) {
        return new DaemonSettings(role, provider, address, port, advertise, heartbeatEvery, jobPollEvery, commandPollEvery,
                cap, workloadClasses, batch, outboxBackoff, shutdownGrace, price, gpuModel);
    }

    public DaemonSettings withOutboxBackoff(RetryPolicy backoff) {
        return new DaemonSettings(role, provider, address, port, advertise, heartbeatEvery, jobPollEvery, commandPollEvery,
                concurrencyCap, workloadClasses, batch, backoff, shutdownGrace, price, gpuModel);
    }

    /** What register offers: {@code price} and {@code gpuModel} (null: not sent / the detected GPU's). */
    public DaemonSettings withOffer(Double offerPrice, String offerGpuModel) {
        return new DaemonSettings(role, provider, address, port, advertise, heartbeatEvery, jobPollEvery, commandPollEvery,
                concurrencyCap, workloadClasses, batch, outboxBackoff, shutdownGrace, offerPrice, offerGpuModel);
    }

    public DaemonSettings withWorkloadClasses(List<String> classes) {
        return new DaemonSettings(role, provider, address, port, advertise, heartbeatEvery, jobPollEvery, commandPollEvery,
                concurrencyCap, classes, batch, outboxBackoff, shutdownGrace, price, gpuModel);
    }

    /** Address and port as advertised (each null when not sent); {@code advertise} is true when either is set. */
    public DaemonSettings withAdvertised(String addr, Integer p) {
        return new DaemonSettings(role, provider, addr, p, addr != null || p != null, heartbeatEvery, jobPollEvery, commandPollEvery,
                concurrencyCap, workloadClasses, batch, outboxBackoff, shutdownGrace, price, gpuModel);
    }
}
