package io.infernet.controlplane.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.engines.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Takes jobs back from providers that are gone. Every {@link #PERIOD}, in each control plane
 * (rows locked {@code FOR UPDATE SKIP LOCKED}, so two never act on one job), an assigned job
 * is looked at when its provider went stale (not seen within the live window, offline, or
 * removed) or never picked it up (not polled within the delivery timeout):
 * <ul>
 *   <li>before its first token it goes back to the queue, and the provider is excluded for it
 *       (the reference leaves it assigned to a dead node for ever);</li>
 *   <li>after tokens went out it fails with an {@code error} event, which ends the client's
 *       stream (a partial answer cannot move to another provider);</li>
 *   <li>after its terminal event it is ended from that event: the provider posts its events and
 *       its completion one after the other, and one that died in between would otherwise leave
 *       the job assigned for ever (and a batch chunk waiting on it). A {@code done} completes it
 *       with the answer the event carries and records the provider's payment, as its completion
 *       would have ({@link JobStore#completeFromDone}); an {@code error} fails it with the
 *       event's message. A completion that arrives later finds the job ended and changes
 *       nothing.</li>
 * </ul>
 * Queued chat jobs whose gateway request is gone (a control plane that crashed while it
 * waited) fail after the queue timeout plus a grace.
 *
 * <p>A control plane judges no provider during its first live window: while no control plane
 * ran (a restart), no heartbeat could arrive, and every provider would look stale.
 */
public final class Reaper implements AutoCloseable {

    static final Duration PERIOD = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger("infernet.controlplane.reaper");

    private final Db db;
    private final JobStore jobs;
    private final Duration liveWindow;
    private final Duration deliveryTimeout;
    private final Duration orphanPending;
    private final List<Runnable> housekeeping;
    private final Background loop;
    private final long startedNanos = System.nanoTime();
    private long ticks;

    /**
     * @param orphanPending a pending gateway job older than this has no one waiting for it
     * @param housekeeping  run about once a minute (expiring nonces and idempotency keys)
     */
    public Reaper(Db db, JobStore jobs, Duration liveWindow, Duration deliveryTimeout, Duration orphanPending,
                  List<Runnable> housekeeping) {
        this.db = db;
        this.jobs = jobs;
        this.liveWindow = liveWindow;
        this.deliveryTimeout = deliveryTimeout;
        this.orphanPending = orphanPending;
        this.housekeeping = List.copyOf(housekeeping);
        this.loop = Background.periodic("infernet-cp-reaper", PERIOD, () -> {
            sweep();
            if (++ticks % 60 == 0) {
                this.housekeeping.forEach(Runnable::run);
            }
        });
    }

    public Reaper start() {
        loop.start();
        return this;
    }

    /** One sweep; returns how many jobs it requeued or failed. */
    public int sweep() {
        boolean settled = System.nanoTime() - startedNanos > Math.max(liveWindow.toNanos(), deliveryTimeout.toNanos());
        return (settled ? db.tx(this::takeBack) : 0) + db.tx(this::failOrphans);
    }

    private int takeBack(Connection c) throws SQLException {
        List<ObjectNode> gone = Rows.list(c, "select j.id, j.provider_id, j.first_token_at, p.name as provider_name, "
                + "(p.id is null or p.status = 'offline' or p.last_seen is null or p.last_seen < now() - make_interval(secs => ?)) as stale, "
                + "(select e.event_type from job_events e where e.job_id = j.id and e.event_type in ('done', 'error') order by e.id limit 1) as terminal, "
                + "(select e.data from job_events e where e.job_id = j.id and e.event_type in ('done', 'error') order by e.id limit 1) as terminal_data "
                + "from jobs j left join providers p on p.id = j.provider_id "
                + "where j.status = 'assigned' and (p.id is null or p.status = 'offline' or p.last_seen is null "
                + "  or p.last_seen < now() - make_interval(secs => ?) "
                + "  or (j.polled_at is null and j.assigned_at < now() - make_interval(secs => ?))) "
                + "for update of j skip locked",
                Dispatcher.seconds(liveWindow), Dispatcher.seconds(liveWindow), Dispatcher.seconds(deliveryTimeout));
        for (ObjectNode j : gone) {
            UUID jobId = UUID.fromString(j.get("id").asText());
            String provider = j.path("provider_name").isTextual() ? j.get("provider_name").asText() : "a removed provider";
            String why = j.get("stale").asBoolean() ? "went stale" : "did not pick it up within " + deliveryTimeout.toSeconds() + " s";
            String terminal = text(j, "terminal");
            if ("done".equals(terminal)) {
                jobs.completeFromDone(c, jobId, j.get("terminal_data"));
                LOG.log(System.Logger.Level.INFO, "job {0}: provider {1} {2} after its answer, before its completion; completed from its done event",
                        jobId, provider, why);
            } else if ("error".equals(terminal)) {
                String message = j.path("terminal_data").path("message").asText("the provider reported an error");
                jobs.finish(c, jobId, "failed", null, message, null);
                LOG.log(System.Logger.Level.INFO, "job {0}: provider {1} {2} after its error event, before its completion; failed",
                        jobId, provider, why);
            } else if (j.get("first_token_at").isNull()) {
                Rows.update(c, "update jobs set status = 'pending', provider_id = null, assigned_at = null, polled_at = null, "
                        + "excluded_providers = case when ?::uuid is null then excluded_providers else array_append(excluded_providers, ?::uuid) end, "
                        + "updated_at = now() where id = ?", text(j, "provider_id"), text(j, "provider_id"), jobId);
                Signals.notify(c, Signals.EVENTS, jobId.toString());
                Signals.notifyQueue(c);
                LOG.log(System.Logger.Level.INFO, "job {0}: provider {1} {2} before the first token; back in the queue", jobId, provider, why);
            } else {
                String message = "provider " + provider + " " + why + " in the middle of the answer";
                Rows.update(c, "insert into job_events (job_id, event_type, data) values (?, 'error', ?::jsonb)",
                        jobId, Json.object().put("message", message).put("source", "control-plane"));
                jobs.finish(c, jobId, "failed", null, message, null);
                LOG.log(System.Logger.Level.INFO, "job {0}: {1}; failed", jobId, message);
            }
        }
        return gone.size();
    }

    private int failOrphans(Connection c) throws SQLException {
        List<ObjectNode> old = Rows.list(c, "select id from jobs where status = 'pending' and batch_chunk_id is null "
                + "and created_at < now() - make_interval(secs => ?) for update skip locked", Dispatcher.seconds(orphanPending));
        for (ObjectNode j : old) {
            jobs.finish(c, UUID.fromString(j.get("id").asText()), "failed", null, "no provider took the job and no one waits for it", null);
        }
        return old.size();
    }

    private static String text(ObjectNode n, String f) {
        return n.get(f) == null || n.get(f).isNull() ? null : n.get(f).asText();
    }

    @Override
    public void close() {
        loop.close();
    }
}
