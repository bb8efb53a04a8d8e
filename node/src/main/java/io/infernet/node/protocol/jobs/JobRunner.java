package io.infernet.node.protocol.jobs;

import io.infernet.engines.Engine;
import io.infernet.node.protocol.client.PolledJob;
import io.infernet.node.protocol.outbox.Deliverer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs polled jobs, each once: a job id is remembered while it runs and after it ends (the
 * last {@link #REMEMBERED} ids), since the control plane hands an assigned job out again on
 * every poll until it is completed. At most {@code concurrencyCap} jobs run at a time; a job
 * that finds no free slot is left for a later poll. Each job runs on its own platform thread
 * (engines may make native calls on the caller's thread). Thread-safe.
 */
public final class JobRunner {

    /** Ids of finished jobs kept for de-duplication. */
    public static final int REMEMBERED = 10_000;

    private static final System.Logger LOG = System.getLogger("infernet.protocol.jobs");

    /** What {@link #offer} did with a job. */
    public enum Offer { STARTED, DUPLICATE, AT_CAPACITY }

    private final Engine engine;
    private final Deliverer deliverer;
    private final ProviderInfo provider;
    private final int concurrencyCap;
    private final BenchWindow bench;
    private final BatchPolicy policy;
    private final Clock clock;
    private final Map<String, ChatJob> running = new LinkedHashMap<>();
    private final RecentIds finished = new RecentIds(REMEMBERED);
    private final AtomicLong started = new AtomicLong();

    public JobRunner(Engine engine, Deliverer deliverer, ProviderInfo provider, int concurrencyCap,
                     BenchWindow bench, BatchPolicy policy, Clock clock) {
        if (concurrencyCap < 1) {
            throw new IllegalArgumentException("concurrency cap must be >= 1, got " + concurrencyCap);
        }
        this.engine = Objects.requireNonNull(engine, "engine");
        this.deliverer = Objects.requireNonNull(deliverer, "deliverer");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.concurrencyCap = concurrencyCap;
        this.bench = Objects.requireNonNull(bench, "bench");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Marks jobs as already done (e.g. those whose completion waits in the outbox after a restart). */
    public void rememberFinished(Collection<String> jobIds) {
        jobIds.forEach(finished::add);
    }

    /** Starts {@code job} unless it ran or runs already, or all slots are taken. */
    public synchronized Offer offer(PolledJob job) {
        if (running.containsKey(job.id()) || finished.contains(job.id())) {
            return Offer.DUPLICATE;
        }
        if (running.size() >= concurrencyCap) {
            return Offer.AT_CAPACITY;
        }
        ChatJob task = new ChatJob(job, engine, provider, deliverer, policy, clock);
        running.put(job.id(), task);
        started.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "job {0}: {1} on {2}", job.id(), job.type(), job.modelName() == null ? "the default model" : job.modelName());
        Thread.ofPlatform().name("infernet-job-" + job.id()).daemon(true).start(() -> runJob(task));
        return Offer.STARTED;
    }

    private void runJob(ChatJob task) {
        try {
            ChatJob.Outcome o = task.run();
            if (o.completed()) {
                bench.record(o.tokens(), o.duration(), o.finishedAt());
            }
            LOG.log(System.Logger.Level.INFO, "job {0}: {1} ({2} tokens, {3} ms)", task.id(),
                    o.completed() ? "completed" : "failed", String.valueOf(o.tokens()), String.valueOf(o.duration().toMillis()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "job " + task.id() + " crashed", e);
        } finally {
            synchronized (this) {
                finished.add(task.id());
                running.remove(task.id());
                notifyAll();
            }
        }
    }

    public synchronized int activeJobs() {
        return running.size();
    }

    public int concurrencyCap() {
        return concurrencyCap;
    }

    /** Jobs started since this runner was made (each id at most once). */
    public long jobsStarted() {
        return started.get();
    }

    /** Cancels every running job; each ends with done(reason=cancel) and is completed as failed. */
    public void cancelAll(String reason) {
        List<ChatJob> jobs;
        synchronized (this) {
            jobs = List.copyOf(running.values());
        }
        jobs.forEach(j -> j.cancel(reason));
    }

    /** Waits until no job runs; false when {@code timeout} passed first. */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
