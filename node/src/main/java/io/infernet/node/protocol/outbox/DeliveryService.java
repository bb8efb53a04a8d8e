package io.infernet.node.protocol.outbox;

import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.ControlPlaneException;
import io.infernet.node.protocol.client.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Gets event batches and completions to the control plane in order, each at most once on the
 * server. {@link #submit} sends at once (with the client's bounded retries) unless deliveries of
 * the same key are already waiting in the {@link Outbox}; a failure that may be resent
 * ({@link ControlPlaneClient#mayResend}) puts the delivery in the outbox, behind which later
 * deliveries of that key queue up. A 4xx is logged and dropped (the request itself is refused;
 * resending cannot help). One drainer thread resends the outbox in order, one attempt at a
 * time, backing off exponentially while the control plane is away.
 *
 * <p>Every attempt of a delivery carries its idempotency key. A delivery whose answer was lost
 * (the connection broke after it was sent) is resent only to a control plane that honours the
 * key; to any other (the reference's) it is dropped with a warning, since it may have landed and
 * a second copy would duplicate tokens or a payment. A delivery that surely did not land (no
 * connection, an error answer from the server itself) is always resent.
 *
 * <p>Threads: {@code submit} for one key must be called by one thread at a time (each job and
 * command has its own); different keys may be submitted concurrently.
 */
public final class DeliveryService implements Deliverer, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.outbox");

    /** What became of a submitted delivery. */
    public enum Outcome { SENT, QUEUED, DROPPED }

    private final ControlPlaneClient client;
    private final ControlPlaneClient once;
    private final Outbox outbox;
    private final RetryPolicy backoff;
    private final RandomGenerator random = RandomGenerator.getDefault();
    private final Object lock = new Object();
    private Thread drainer;
    private volatile boolean running;

    /**
     * @param backoff the drainer's pause between failed attempts: base doubling up to max
     *                (its maxAttempts is ignored: the drainer never gives up)
     */
    public DeliveryService(ControlPlaneClient client, Outbox outbox, RetryPolicy backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.once = client.withRetry(RetryPolicy.NONE);
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** Starts the drainer (it begins with whatever a previous run left in the outbox). */
    public void start() {
        synchronized (lock) {
            if (drainer != null) {
                return;
            }
            running = true;
            drainer = Thread.ofPlatform().name("infernet-outbox").daemon(true).start(this::drain);
        }
    }

    /** Sends now, or queues behind earlier deliveries of the same key; see the class comment. */
    @Override
    public Outcome submit(Delivery d) {
        if (outbox.hasPending(d.key())) {
            outbox.append(d);
            return Outcome.QUEUED;
        }
        try {
            client.send(d.route(), d.body(), d.idempotencyKey());
            return Outcome.SENT;
        } catch (ControlPlaneException e) {
            if (!client.mayResend(e)) {
                logDropped("dropped", d, e);
                return Outcome.DROPPED;
            }
            outbox.append(d);
            LOG.log(System.Logger.Level.WARNING, "queued {0} in the outbox ({1} waiting): {2}", d.route(), outbox.size(), e.getMessage());
            return Outcome.QUEUED;
        }
    }

    /** Deliveries waiting in the outbox. */
    public int pending() {
        return outbox.size();
    }

    public Outbox outbox() {
        return outbox;
    }

    /** Waits until the outbox is empty; false when {@code timeout} passed first. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (outbox.size() > 0) {
            if (System.nanoTime() >= end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Stops the drainer; what is still pending stays in the outbox file for the next run. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            running = false;
            t = drainer;
            drainer = null;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void logDropped(String what, Delivery d, ControlPlaneException e) {
        String why = e.retryable() && e.mayHaveLanded()
                ? " (it may have landed, and this control plane does not honour Idempotency-Key, so it is not sent twice)" : "";
        LOG.log(System.Logger.Level.WARNING, "{0} {1}: {2}{3}", what, d.route(), e.getMessage(), why);
    }

    private void drain() {
        int failures = 0;
        while (running) {
            Optional<Outbox.Entry> head;
            try {
                head = outbox.awaitHead(1_000);
            } catch (InterruptedException e) {
                return;
            }
            if (head.isEmpty()) {
                continue;
            }
            Outbox.Entry e = head.get();
            try {
                once.sendOnce(e.delivery().route(), e.delivery().body(), e.delivery().idempotencyKey());
                outbox.ack(e.seq());
                if (failures > 0) {
                    LOG.log(System.Logger.Level.INFO, "control plane is back; {0} deliveries still in the outbox", outbox.size());
                }
                failures = 0;
            } catch (ControlPlaneException ex) {
                if (!once.mayResend(ex)) {
                    logDropped("dropped queued", e.delivery(), ex);
                    outbox.ack(e.seq());
                    continue;
                }
                failures++;
                Duration pause = backoff.delayBefore(Math.min(failures, 30), random);
                LOG.log(System.Logger.Level.DEBUG, "outbox: {0} failed ({1}); next try in {2} ms", e.delivery().route(), ex.getMessage(), pause.toMillis());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (RuntimeException bug) {
                LOG.log(System.Logger.Level.ERROR, "outbox: unexpected failure sending " + e.delivery().route(), bug);
                try {
                    Thread.sleep(backoff.maxDelay());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
