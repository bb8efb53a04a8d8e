package io.infernet.controlplane.batch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.db.Rows;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The last two chunks of a batch ending at once, in two transactions (two providers completing
 * their last jobs together): the batch must end. Before the batch row was locked, each
 * transaction counted the other's chunk as still running and neither ended it (NetworkTest's
 * 200-item batch then waited for ever, 2 of 11 full runs).
 */
class BatchSettleTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());

    @Test
    void twoChunksEndingAtOnceEndTheBatch() throws Exception {
        UUID batch = cp.db().tx(c -> {
            UUID user = uuid(Rows.one(c, "insert into auth.users (email) values (?) returning id", "settle@example.org").orElseThrow().get("id").asText());
            return uuid(Rows.one(c, "insert into jobs_batch (user_id, kind, model, status, chunk_count, item_count) "
                    + "values (?, 'chat', 'm', 'in_progress', 2, 2) returning id", user).orElseThrow().get("id").asText());
        });
        UUID[] chunks = new UUID[2];
        for (int i = 0; i < 2; i++) {
            int index = i;
            chunks[i] = cp.db().tx(c -> uuid(Rows.one(c, "insert into jobs_batch_chunks (job_id, chunk_index, status, payload) "
                    + "values (?, ?, 'running', '{\"items\":[]}'::jsonb) returning id", batch, index).orElseThrow().get("id").asText()));
        }
        try (Connection first = cp.db().dedicatedConnection(); Connection second = cp.db().dedicatedConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            endChunk(first, chunks[0], batch); // counts the second chunk as running: not the end yet
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try {
                    endChunk(second, chunks[1], batch);
                    second.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Either the second transaction is done (it could not see the first one's chunk end) or
            // it waits for the first one's lock on the batch.
            await().atMost(Duration.ofSeconds(30)).alias("the second transaction to finish or wait for the first")
                    .until(() -> other.isDone() || waitingForALock());
            first.commit();
            other.get(30, TimeUnit.SECONDS);
        }
        String status = cp.db().read(c -> Rows.one(c, "select status from jobs_batch where id = ?", batch)).orElseThrow().get("status").asText();
        assertEquals("completed", status, "both chunks are done");
    }

    private static void endChunk(Connection c, UUID chunk, UUID batch) throws SQLException {
        Rows.update(c, "update jobs_batch_chunks set status = 'done', done_at = now() where id = ?", chunk);
        BatchScheduler.settle(c, batch);
    }

    private static boolean waitingForALock() {
        return cp.db().read(c -> Rows.one(c, "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' "
                + "and datname = current_database()")).orElseThrow().get("n").asInt() > 0;
    }

    private static UUID uuid(String s) {
        return UUID.fromString(s);
    }
}
