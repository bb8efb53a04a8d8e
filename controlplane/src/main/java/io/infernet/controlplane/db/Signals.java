package io.infernet.controlplane.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wake-ups across every control plane on the database, through PostgreSQL's LISTEN/NOTIFY.
 * A writer calls {@link #notify(Connection, String, String)} inside its transaction (delivered
 * when it commits); each control plane's listener thread wakes the local waiters of that
 * channel and key. Waiters register before they read the state they wait on, so a change that
 * lands between the read and the wait is not missed:
 *
 * <pre>{@code
 * try (Signals.Waiter w = signals.register(Signals.EVENTS, jobId)) {
 *     if (readNewEvents()) return;
 *     w.await(timeout);
 * }
 * }</pre>
 *
 * <p>A wake-up is a hint: waiters always re-read the database, and wait with a bounded timeout,
 * so a lost notification (listener reconnecting) costs latency, not correctness.
 */
public final class Signals implements AutoCloseable {

    /** Payload: a provider id; a job was assigned to it. */
    public static final String JOBS = "infernet_jobs";
    /** Payload: a job id; it has new events or a new status. */
    public static final String EVENTS = "infernet_events";
    /** Payload: anything; there may be pending work to assign (a new job, freed capacity, a new provider). */
    public static final String QUEUE = "infernet_queue";

    private static final System.Logger LOG = System.getLogger("infernet.controlplane.signals");

    private final Db db;
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile boolean running = true;
    private volatile Connection connection;

    public Signals(Db db) {
        this.db = db;
        this.listener = Thread.ofPlatform().name("infernet-cp-listen").daemon(true).start(this::listen);
    }

    /** Sends {@code key} on {@code channel} when {@code c}'s transaction commits. */
    public static void notify(Connection c, String channel, String key) throws SQLException {
        Rows.list(c, "select pg_notify(?, ?)", channel, key);
    }

    /** Tells every dispatcher there may be work: a new job, a freed slot, a provider seen. */
    public static void notifyQueue(Connection c) throws SQLException {
        notify(c, QUEUE, QUEUE_KEY);
    }

    /** The one key used on {@link #QUEUE}. */
    public static final String QUEUE_KEY = "work";

    /** Registers interest in {@code channel}/{@code key}; close it when done. */
    public Waiter register(String channel, String key) {
        Waiter w = new Waiter(channel + ":" + key);
        waiters.computeIfAbsent(w.id, k -> ConcurrentHashMap.newKeySet()).add(w);
        return w;
    }

    /** Wakes the local waiters of {@code channel}/{@code key} (what a notification does). */
    public void fire(String channel, String key) {
        Set<Waiter> set = waiters.get(channel + ":" + key);
        if (set != null) {
            set.forEach(w -> w.latch.countDown());
        }
    }

    /** One registration; {@link #await} returns early once its key fired after registering. */
    public final class Waiter implements AutoCloseable {
        private final String id;
        private final CountDownLatch latch = new CountDownLatch(1);

        private Waiter(String id) {
            this.id = id;
        }

        /** @return true when woken, false when {@code timeoutMillis} passed */
        public boolean await(long timeoutMillis) throws InterruptedException {
            return latch.await(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            waiters.computeIfPresent(id, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = db.dedicatedConnection(); Statement s = c.createStatement()) {
                connection = c;
                s.execute("LISTEN " + JOBS + "; LISTEN " + EVENTS + "; LISTEN " + QUEUE);
                backoff = 200;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] ns = pg.getNotifications(500);
                    if (ns != null) {
                        for (PGNotification n : ns) {
                            fire(n.getName(), n.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "database listener lost ({0}); reconnecting", e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        listener.interrupt();
        try {
            listener.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
