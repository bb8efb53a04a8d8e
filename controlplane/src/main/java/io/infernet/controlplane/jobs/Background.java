package io.infernet.controlplane.jobs;

import io.infernet.controlplane.db.Signals;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * A control plane's background work on a daemon platform thread of its own: rounds that repeat
 * while they find work, woken by the queue signal ({@link #queueDriven}), or a tick on a fixed
 * period ({@link #periodic}). A failing round is logged and the loop goes on; {@link #close()}
 * stops the thread and waits for it (2 s at most).
 */
public final class Background implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.controlplane.background");

    private final Thread thread;
    private volatile boolean running = true;

    private Background(String name, Body body) {
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> {
            while (running) {
                try {
                    body.run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    LOG.log(System.Logger.Level.WARNING, "{0} failed: {1}", name, e.getMessage());
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    @FunctionalInterface
    private interface Body {
        void run() throws InterruptedException;
    }

    /**
     * Runs {@code round} (which returns how much it did) again at once while it returns
     * {@code full} or more, then waits for {@link Signals#QUEUE} or {@code idle}.
     */
    public static Background queueDriven(String name, Signals signals, Duration idle, int full, IntSupplier round) {
        Background[] self = new Background[1];
        self[0] = new Background(name, () -> {
            try (Signals.Waiter w = signals.register(Signals.QUEUE, Signals.QUEUE_KEY)) {
                while (self[0].running && round.getAsInt() >= full) {
                    // a full round: there may be more
                }
                w.await(idle.toMillis());
            }
        });
        return self[0];
    }

    /** Runs {@code tick} every {@code period}. */
    public static Background periodic(String name, Duration period, Runnable tick) {
        return new Background(name, () -> {
            Thread.sleep(period);
            tick.run();
        });
    }

    public Background start() {
        thread.start();
        return this;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
