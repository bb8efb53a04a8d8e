package io.infernet.controlplane.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.jobs.Background;
import io.infernet.controlplane.jobs.JobStore;
import io.infernet.engines.Json;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Runs batch chunks (IPIP-0013) on the Postgres queue: each control plane's scheduler takes
 * visible chunks ({@code queued}, or {@code failed} whose back-off passed) with
 * {@code FOR UPDATE SKIP LOCKED}, at most {@code max_concurrency} running per batch, and turns
 * each attempt into ordinary jobs for the dispatcher: one {@code embed} job per chunk, one
 * {@code chat} job per item for chat and classify. Items that already have a result are not
 * run again.
 *
 * <p>When the last job of an attempt ends ({@link #finished}, inside the ending transaction),
 * the chunk is {@code done} if every item has a result; otherwise it is {@code failed} and
 * retried after 1 s, 5 s, 25 s (avoiding the providers that had it, when others qualify) until
 * {@code max_attempts}, then {@code failed_terminal}. When no chunk is left to run, the batch
 * is {@code completed} (every chunk done, or some done) or {@code failed} (none done).
 */
public final class BatchScheduler implements AutoCloseable {

    static final Duration IDLE_RECHECK = Duration.ofMillis(500);
    static final Duration[] BACKOFF = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(25)};

    private final Db db;
    private final JobStore jobs;
    private final String workerId;
    private final Background loop;

    public BatchScheduler(Db db, Signals signals, JobStore jobs) {
        this.db = db;
        this.jobs = jobs;
        this.workerId = "cp-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.loop = Background.queueDriven("infernet-cp-batch", signals, IDLE_RECHECK, 1, () -> db.tx(this::dispatch));
        jobs.onFinish(this::finished);
    }

    public BatchScheduler start() {
        loop.start();
        return this;
    }

    /** One round; returns how many chunk attempts it started. */
    int dispatch(Connection c) throws SQLException {
        List<ObjectNode> visible = Rows.list(c, "select k.id, k.job_id, k.chunk_index, k.payload, k.result, k.providers, k.attempts "
                + "from jobs_batch_chunks k join jobs_batch b on b.id = k.job_id "
                + "where k.status in ('queued', 'failed') and k.visible_at <= now() and b.status in ('queued', 'in_progress') "
                + "order by b.created_at, k.chunk_index limit 64 for update of k skip locked");
        int started = 0;
        java.util.Map<String, Integer> room = new java.util.HashMap<>();
        java.util.Map<String, ObjectNode> batches = new java.util.HashMap<>();
        for (ObjectNode k : visible) {
            String batchId = k.get("job_id").asText();
            if (!room.containsKey(batchId)) {
                ObjectNode b = Rows.one(c, "select id, kind, model, options, "
                        + "(select count(*) from jobs_batch_chunks r where r.job_id = b.id and r.status = 'running') as running "
                        + "from jobs_batch b where b.id = ? for update", UUID.fromString(batchId)).orElseThrow();
                room.put(batchId, b.path("options").path("max_concurrency").asInt(32) - b.get("running").asInt());
                batches.put(batchId, b);
            }
            if (room.get(batchId) <= 0) {
                continue;
            }
            room.merge(batchId, -1, Integer::sum);
            start(c, batches.get(batchId), k);
            started++;
        }
        return started;
    }

    private void start(Connection c, ObjectNode batch, ObjectNode chunk) throws SQLException {
        UUID chunkId = UUID.fromString(chunk.get("id").asText());
        UUID batchId = UUID.fromString(batch.get("id").asText());
        Rows.update(c, "update jobs_batch_chunks set status = 'running', attempts = attempts + 1, worker_id = ? where id = ?", workerId, chunkId);
        Rows.update(c, "update jobs_batch set status = 'in_progress', started_at = coalesce(started_at, now()) where id = ? and status = 'queued'", batchId);
        Set<UUID> avoid = new HashSet<>();
        chunk.path("providers").forEach(p -> avoid.add(UUID.fromString(p.asText())));
        JsonNode done = chunk.get("result").isObject() ? chunk.get("result") : Json.object();
        String kind = batch.get("kind").asText();
        String model = batch.get("model").asText();
        JsonNode options = batch.get("options");
        String title = "batch " + batchId.toString().substring(0, 8) + " chunk " + chunk.get("chunk_index").asInt();
        ArrayNode todo = Json.array();
        for (JsonNode item : chunk.get("payload").get("items")) {
            if (!done.has(item.get("index").asText())) {
                todo.add(item);
            }
        }
        if (kind.equals("embed")) {
            ObjectNode spec = Json.object();
            ArrayNode input = spec.putArray("input");
            ArrayNode indexes = spec.putArray("batch_items");
            todo.forEach(it -> {
                input.add(it.get("input"));
                indexes.add(it.get("index"));
            });
            jobs.create(c, new JobStore.NewJob(title, "embed", model, spec, BigDecimal.ZERO, null, "batch", chunkId, avoid));
            return;
        }
        for (JsonNode it : todo) {
            ObjectNode spec = Json.object();
            ArrayNode messages = spec.putArray("messages");
            JsonNode input = it.get("input");
            if (kind.equals("classify")) {
                List<String> labels = new java.util.ArrayList<>();
                options.get("labels").forEach(l -> labels.add(l.asText()));
                messages.addObject().put("role", "system").put("content",
                        "Classify the text into exactly one of these labels: " + String.join(", ", labels) + ". Answer with the label only.");
                messages.addObject().put("role", "user").put("content", input.asText());
            } else if (input.isTextual()) {
                messages.addObject().put("role", "user").put("content", input.asText());
            } else {
                messages.addAll((ArrayNode) input.get("messages"));
            }
            spec.put("max_tokens", options.path("max_tokens").asInt(kind.equals("classify") ? 16 : 256));
            spec.put("temperature", options.path("temperature").asDouble(kind.equals("classify") ? 0.0 : 0.7));
            spec.put("batch_item", it.get("index").asInt());
            jobs.create(c, new JobStore.NewJob(title + " item " + it.get("index").asInt(), "chat", model, spec,
                    BigDecimal.ZERO, null, "batch", chunkId, avoid));
        }
    }

    /** The finish hook of {@link JobStore}: records an item's result and settles the chunk and batch. */
    void finished(Connection c, ObjectNode job) throws SQLException {
        if (job.get("batch_chunk_id") == null || job.get("batch_chunk_id").isNull()) {
            return;
        }
        UUID chunkId = UUID.fromString(job.get("batch_chunk_id").asText());
        ObjectNode chunk = Rows.one(c, "select k.*, b.kind, b.options from jobs_batch_chunks k join jobs_batch b on b.id = k.job_id "
                + "where k.id = ? for update of k", chunkId).orElse(null);
        if (chunk == null || !chunk.get("status").asText().equals("running")) {
            return; // a late job of a settled or cancelled chunk
        }
        String provider = job.get("provider_id").isNull() ? null : job.get("provider_id").asText();
        if (provider != null) {
            Rows.update(c, "update jobs_batch_chunks set last_provider = ?::uuid, providers = case when ?::uuid = any(providers) "
                    + "then providers else array_append(providers, ?::uuid) end where id = ?", provider, provider, provider, chunkId);
        }
        if (job.get("status").asText().equals("completed")) {
            ObjectNode results = results(chunk.get("kind").asText(), job, chunk.get("options"));
            if (results == null) {
                Rows.update(c, "update jobs_batch_chunks set last_error = ? where id = ?", "the provider returned a result of the wrong shape", chunkId);
            } else {
                Rows.update(c, "update jobs_batch_chunks set result = coalesce(result, '{}'::jsonb) || ?::jsonb where id = ?", results, chunkId);
            }
        } else {
            Rows.update(c, "update jobs_batch_chunks set last_error = ? where id = ?", job.path("error").asText("the job failed"), chunkId);
        }
        int open = Rows.one(c, "select count(*) as n from jobs where batch_chunk_id = ? and status in ('pending', 'assigned')", chunkId)
                .orElseThrow().get("n").asInt();
        if (open > 0) {
            return;
        }
        ObjectNode now = Rows.one(c, "select payload, result, attempts, max_attempts, job_id from jobs_batch_chunks where id = ?", chunkId).orElseThrow();
        int items = now.get("payload").get("items").size();
        int have = now.get("result").isObject() ? now.get("result").size() : 0;
        int attempts = now.get("attempts").asInt();
        if (have >= items) {
            Rows.update(c, "update jobs_batch_chunks set status = 'done', done_at = now(), result_url = ? where id = ?",
                    "/api/v1/jobs/batch/" + now.get("job_id").asText() + "/results#chunk-" + chunk.get("chunk_index").asInt(), chunkId);
        } else if (attempts >= now.get("max_attempts").asInt()) {
            Rows.update(c, "update jobs_batch_chunks set status = 'failed_terminal', done_at = now() where id = ?", chunkId);
        } else {
            Duration wait = BACKOFF[Math.min(attempts, BACKOFF.length) - 1];
            Rows.update(c, "update jobs_batch_chunks set status = 'failed', visible_at = now() + make_interval(secs => ?) where id = ?",
                    wait.toMillis() / 1000.0, chunkId);
            return;
        }
        settle(c, UUID.fromString(now.get("job_id").asText()));
    }

    /**
     * Ends the batch when none of its chunks can run any more. The batch row is locked first: two
     * chunks that end at once, in two transactions, would otherwise each count the other as still
     * open (neither sees the other's uncommitted update) and neither would end the batch. With the
     * lock, the second counts after the first committed.
     */
    static void settle(Connection c, UUID batchId) throws SQLException {
        Rows.one(c, "select id from jobs_batch where id = ? for update", batchId);
        ObjectNode s = Rows.one(c, "select count(*) filter (where status in ('queued', 'running', 'failed')) as open, "
                + "count(*) filter (where status = 'done') as done from jobs_batch_chunks where job_id = ?", batchId).orElseThrow();
        if (s.get("open").asInt() > 0) {
            return;
        }
        Rows.update(c, "update jobs_batch set status = ?, completed_at = now(), result_manifest_url = ? where id = ? and status in ('queued', 'in_progress')",
                s.get("done").asInt() > 0 ? "completed" : "failed", "/api/v1/jobs/batch/" + batchId + "/results", batchId);
    }

    /** An attempt's results by item index, or null when the job's result does not fit its input. */
    static ObjectNode results(String kind, ObjectNode job, JsonNode options) {
        ObjectNode out = Json.object();
        JsonNode result = job.get("result");
        JsonNode spec = job.get("input_spec");
        if (kind.equals("embed")) {
            JsonNode vectors = result.path("embeddings");
            JsonNode indexes = spec.path("batch_items");
            if (!vectors.isArray() || vectors.size() != indexes.size()) {
                return null;
            }
            for (int i = 0; i < indexes.size(); i++) {
                out.putObject(indexes.get(i).asText()).set("embedding", vectors.get(i));
            }
            return out;
        }
        String text = result.path("text").asText("");
        ObjectNode r = out.putObject(spec.path("batch_item").asText());
        r.put("text", text);
        if (kind.equals("classify")) {
            String label = null;
            int at = Integer.MAX_VALUE;
            String lower = text.toLowerCase(Locale.ROOT);
            for (JsonNode l : options.path("labels")) {
                int i = lower.indexOf(l.asText().toLowerCase(Locale.ROOT));
                if (i >= 0 && i < at) {
                    at = i;
                    label = l.asText();
                }
            }
            if (label == null) {
                r.putNull("label");
            } else {
                r.put("label", label);
            }
        } else {
            r.put("finish_reason", job.path("finish_reason").asText("stop"));
            if (job.path("usage").isObject()) {
                r.set("usage", job.get("usage"));
            }
        }
        return out;
    }

    @Override
    public void close() {
        loop.close();
    }
}
