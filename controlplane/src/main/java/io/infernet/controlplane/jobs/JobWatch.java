package io.infernet.controlplane.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Signals;
import java.util.List;
import java.util.UUID;

/**
 * Follows one job from any control plane: its new events (after the last seen id) and its
 * row, waking on {@link Signals#EVENTS} for the job and re-reading at least every
 * {@link #RECHECK_MILLIS}. Used by one thread.
 */
public final class JobWatch {

    static final long RECHECK_MILLIS = 1_000;

    private final Db db;
    private final Signals signals;
    private final JobStore jobs;
    private final UUID jobId;
    private long lastEventId;

    public JobWatch(Db db, Signals signals, JobStore jobs, UUID jobId) {
        this.db = db;
        this.signals = signals;
        this.jobs = jobs;
        this.jobId = jobId;
    }

    /** The job's row and the events that arrived since the last call. */
    public record Update(ObjectNode job, List<ObjectNode> events) {
        public String status() {
            return job.get("status").asText();
        }
    }

    /**
     * Waits until there are new events or {@code maxWaitMillis} passed, whichever is first,
     * and returns what is there (the events may be empty).
     */
    public Update next(long maxWaitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitMillis * 1_000_000;
        while (true) {
            try (Signals.Waiter w = signals.register(Signals.EVENTS, jobId.toString())) {
                Update u = read();
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (!u.events().isEmpty() || left <= 0) {
                    return u;
                }
                boolean woken = w.await(Math.min(left, RECHECK_MILLIS));
                if (woken) {
                    return read();
                }
            }
        }
    }

    private Update read() {
        return db.read(c -> {
            ObjectNode job = jobs.job(c, jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
            List<ObjectNode> events = jobs.eventsAfter(c, jobId, lastEventId);
            if (!events.isEmpty()) {
                lastEventId = events.getLast().get("id").asLong();
            }
            return new Update(job, events);
        });
    }
}
