package io.infernet.node.protocol.daemon;

import io.infernet.engines.Engine;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.ControlPlaneException;
import io.infernet.node.protocol.client.PolledCommand;
import io.infernet.node.protocol.client.JobPoll;
import io.infernet.node.protocol.client.Registration;
import io.infernet.node.protocol.client.RetryPolicy;
import io.infernet.node.protocol.commands.CommandRunner;
import io.infernet.node.protocol.jobs.BenchWindow;
import io.infernet.node.protocol.jobs.JobRunner;
import io.infernet.node.protocol.models.ModelHost;
import io.infernet.node.protocol.outbox.DeliveryService;
import io.infernet.node.protocol.outbox.Outbox;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code infernet start}: registers, then heartbeats, polls jobs and polls commands on their
 * periods until closed; on close it stops polling, cancels running jobs (they post
 * {@code done(reason=cancel)} and a failed completion), sends a last {@code offline}
 * heartbeat and leaves anything undelivered in the outbox for the next run.
 *
 * <p>Faults never stop it: a failed poll or heartbeat is logged and tried again on the next
 * period; a heartbeat answered 404 (unknown node) re-registers; events and completions go
 * through the {@link DeliveryService}. Only a registration refused with a 4xx (e.g. 403: the
 * node id belongs to another key) fails {@link #start()}.
 *
 * <p>Threads: one scheduler thread runs the three loops; jobs and commands have their own; a
 * long-poll thread polls jobs while the control plane long-polls ({@link #pollJobs()}).
 */
public final class NodeDaemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.daemon");
    /** How long one long poll may be held at most (also kept to 2/3 of the client's request timeout). */
    static final Duration LONG_POLL_WAIT = Duration.ofSeconds(10);

    private final DaemonSettings settings;
    private final ControlPlaneClient client;
    private final NodeBodies bodies;
    private final JobRunner jobs;
    private final CommandRunner commands;
    private final DeliveryService deliveries;
    private final Outbox outbox;
    private final Consumer<Registration> onRegistered;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean registered = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicInteger registrationAttempts = new java.util.concurrent.atomic.AtomicInteger();
    /** True while the long-poll thread runs (the periodic job poll then stands aside). */
    private final AtomicBoolean longPolling = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** False once the control plane answered 404 to an install progress post. */
    private final AtomicBoolean progressRoute = new AtomicBoolean(true);

    /**
     * @param engine       serves chat jobs; owned by the caller (closed after the daemon)
     * @param outbox       the outbox file, owned by the daemon from here on
     * @param onRegistered called after each successful registration (e.g. to save node.id)
     */
    public NodeDaemon(DaemonSettings settings, ControlPlaneClient client, Engine engine, SpecsProvider specs,
                      ModelHost models, Outbox outbox, Clock clock,
                      Consumer<Registration> onRegistered) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = Objects.requireNonNull(client, "client");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.onRegistered = onRegistered == null ? r -> {} : onRegistered;
        this.deliveries = new DeliveryService(client, outbox, settings.outboxBackoff());
        BenchWindow bench = new BenchWindow(Duration.ofHours(1), 50);
        this.jobs = new JobRunner(Objects.requireNonNull(engine, "engine"), deliveries, settings.provider(),
                settings.concurrencyCap(), bench, settings.batch(), clock);
        this.commands = new CommandRunner(models, deliveries, this::postProgress, Duration.ofSeconds(2), this::heartbeatSoon);
        this.bodies = new NodeBodies(settings, specs, engine, jobs, bench, clock);
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("infernet-daemon").daemon(true).factory());
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = s;
    }

    /**
     * Starts the outbox drainer, registers, and schedules the loops.
     *
     * @throws ControlPlaneException when the control plane refuses the registration (4xx);
     *     an unreachable control plane is not an error (registration is retried by the heartbeat loop)
     */
    public void start() {
        jobs.rememberFinished(outbox.pendingKeys().stream()
                .filter(k -> k.startsWith("job:")).map(k -> k.substring(4)).toList());
        deliveries.start();
        if (outbox.size() > 0) {
            LOG.log(System.Logger.Level.INFO, "{0} deliveries left from the last run are in the outbox", outbox.size());
        }
        try {
            register();
        } catch (ControlPlaneException e) {
            if (!e.retryable()) {
                close();
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "cannot register yet ({0}); trying again every {1} s",
                    e.getMessage(), seconds(settings.heartbeatEvery()));
        }
        scheduler.scheduleWithFixedDelay(guard("heartbeat", this::heartbeat), 0, settings.heartbeatEvery().toMillis(), TimeUnit.MILLISECONDS);
        if (settings.role().equals("provider")) {
            scheduler.scheduleWithFixedDelay(guard("job poll", this::pollJobs), 0, settings.jobPollEvery().toMillis(), TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(guard("command poll", this::pollCommands), 0, settings.commandPollEvery().toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "node {0} running (heartbeat every {1} s, jobs {2} s, commands {3} s)",
                settings.provider().nodeId(), seconds(settings.heartbeatEvery()), seconds(settings.jobPollEvery()),
                seconds(settings.commandPollEvery()));
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    public boolean isRegistered() {
        return registered.get();
    }

    /** Registrations tried since start, successful or not (the first in {@link #start()}, then one per heartbeat until one works). */
    public int registrationAttempts() {
        return registrationAttempts.get();
    }

    public JobRunner jobs() {
        return jobs;
    }

    public CommandRunner commands() {
        return commands;
    }

    public DeliveryService deliveries() {
        return deliveries;
    }

    public NodeBodies bodies() {
        return bodies;
    }

    /**
     * Posts install progress to {@code commands/{id}/progress}, once, without the outbox (a lost
     * update is harmless). The reference's control plane has no such route: after its first 404
     * the node stops posting progress.
     */
    private void postProgress(String commandId, com.fasterxml.jackson.databind.node.ObjectNode body) {
        if (!progressRoute.get()) {
            return;
        }
        try {
            client.withRetry(RetryPolicy.NONE).callOnce(ControlPlaneClient.commandProgressRoute(commandId), body);
        } catch (ControlPlaneException e) {
            if (e.status() == 404 && progressRoute.compareAndSet(true, false)) {
                LOG.log(System.Logger.Level.INFO, "the control plane takes no install progress (404 on commands/{id}/progress); not posting it");
            }
        }
    }

    /** A heartbeat now (after a model was added or removed), on the loop's thread. */
    private void heartbeatSoon() {
        if (!closed.get()) {
            scheduler.execute(guard("heartbeat", this::heartbeat));
        }
    }

    private void register() {
        registrationAttempts.incrementAndGet();
        Registration r = client.register(bodies.register());
        registered.set(true);
        LOG.log(System.Logger.Level.INFO, "registered as {0} (row {1})", r.nodeId(), r.id() == null ? "?" : r.id().asText());
        onRegistered.accept(r);
    }

    private void heartbeat() {
        if (!registered.get()) {
            register();
            return;
        }
        try {
            client.heartbeat(bodies.heartbeat("available"));
        } catch (ControlPlaneException e) {
            if (e.status() == 404) {
                LOG.log(System.Logger.Level.WARNING, "the control plane does not know this node any more; registering again");
                registered.set(false);
                register();
                return;
            }
            throw e;
        }
    }

    /**
     * The periodic job poll. It asks for a zero wait, which a control plane that long-polls
     * answers with {@code long_poll: true}; then a long-poll thread takes over (new jobs
     * arrive within milliseconds instead of up to a period later) until that stops working,
     * and this poll resumes. The reference's control plane ignores the field and answers as
     * always, so against it the node polls on its period as the reference's node does.
     */
    private void pollJobs() {
        if (!registered.get() || longPolling.get()) {
            return;
        }
        JobPoll p = client.pollJobs(pollLimit(), 0);
        p.jobs().forEach(jobs::offer);
        if (p.longPoll() && !closed.get() && longPolling.compareAndSet(false, true)) {
            Thread.ofPlatform().name("infernet-job-longpoll").daemon(true).start(this::longPoll);
        }
    }

    private int pollLimit() {
        return Math.min(25, settings.concurrencyCap() + 5);
    }

    private void longPoll() {
        ControlPlaneClient once = client.withRetry(RetryPolicy.NONE);
        long wait = Math.min(LONG_POLL_WAIT.toMillis(), client.timeout().toMillis() * 2 / 3);
        try {
            while (!closed.get() && registered.get()) {
                JobPoll p = once.pollJobs(pollLimit(), wait);
                p.jobs().forEach(jobs::offer);
                if (!p.longPoll()) {
                    break;
                }
            }
        } catch (ControlPlaneException e) {
            if (!closed.get()) {
                LOG.log(System.Logger.Level.DEBUG, "long poll stopped ({0}); polling again within seconds, then every {1} s",
                        e.getMessage(), seconds(settings.jobPollEvery()));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "long poll failed unexpectedly", e);
        } finally {
            longPolling.set(false);
            resumeSoon();
        }
    }

    /** Delays of the job polls after a long poll stopped, before the period takes over. */
    private static final long[] RESUME_AFTER_MS = {1_000, 2_000, 4_000, 8_000};

    /**
     * A long poll stopped (the control plane restarting, a network blip): job polls follow at 1, 2,
     * 4 and 8 s, each a no-op once a long poll runs again, so that pickup resumes within seconds of
     * the control plane's return instead of up to a period (15 s) later.
     */
    private void resumeSoon() {
        for (long ms : RESUME_AFTER_MS) {
            if (closed.get() || ms >= settings.jobPollEvery().toMillis()) {
                return;
            }
            try {
                scheduler.schedule(guard("job poll", this::pollJobs), ms, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void pollCommands() {
        if (!registered.get() || commands.pending() > 0) {
            return; // commands are claimed when polled: take new ones only when idle
        }
        for (PolledCommand c : client.pollCommands(5)) {
            commands.offer(c);
        }
    }

    /**
     * Runs a loop's task, never letting an exception end the loop. A failure is logged as a
     * warning once, repeats quietly (DEBUG) until the task works again, which is logged too.
     */
    private Runnable guard(String what, Runnable task) {
        AtomicBoolean failing = new AtomicBoolean();
        return () -> {
            if (closed.get()) {
                return;
            }
            try {
                task.run();
                if (failing.compareAndSet(true, false)) {
                    LOG.log(System.Logger.Level.INFO, "{0} works again", what);
                }
            } catch (ControlPlaneException e) {
                if (closed.get()) {
                    return;
                }
                System.Logger.Level level = failing.getAndSet(true) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
                LOG.log(level, "{0} failed (will keep trying): {1}", what, e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, what + " failed unexpectedly", e);
            }
        };
    }

    /** Stops the node as described in the class comment; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(settings.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
            jobs.cancelAll("node shutting down");
            if (!jobs.awaitIdle(settings.shutdownGrace())) {
                LOG.log(System.Logger.Level.WARNING, "{0} job(s) did not finish within the shutdown grace", jobs.activeJobs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commands.close();
        if (registered.get()) {
            try {
                client.withRetry(RetryPolicy.NONE).heartbeat(bodies.heartbeat("offline"));
                LOG.log(System.Logger.Level.INFO, "sent the offline heartbeat");
            } catch (ControlPlaneException e) {
                LOG.log(System.Logger.Level.WARNING, "could not send the offline heartbeat: {0}", e.getMessage());
            }
        }
        deliveries.close();
        if (outbox.size() > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} deliveries stay in {1} for the next start", outbox.size(), outbox.file());
        }
        outbox.close();
    }
}
