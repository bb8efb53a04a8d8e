package io.infernet.controlplane.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.http.ApiError;
import io.infernet.engines.Json;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The jobs table and its events, as the node API and the gateway change them. Every method
 * runs inside the caller's transaction ({@code c}) and sends its wake-ups through
 * {@link Signals#notify} (delivered at commit).
 *
 * <p>Job life: {@code pending} (queued, no provider) → {@code assigned} (a provider has it;
 * it stays so while it runs, as the reference's nodes expect) → {@code completed} |
 * {@code failed}. Unlike the reference, writes are idempotent by content: a second
 * completion changes nothing and pays nothing; events after a job's terminal event
 * ({@code done} or {@code error}), a second {@code meta} from the same provider, and events
 * from a provider the job is no longer assigned to are not stored.
 */
public final class JobStore {

    public static final Set<String> EVENT_TYPES = Set.of("meta", "token", "done", "error");
    public static final int EVENT_BATCH_MAX = 200;
    static final String POLL_COLUMNS = "id, title, type, status, payment_offer, payment_coin, model_name, input_spec, created_at";

    /** Told when a job ends (completed or failed), inside the ending transaction. */
    @FunctionalInterface
    public interface FinishHook {
        void finished(Connection c, ObjectNode job) throws SQLException;
    }

    private volatile FinishHook finishHook = (c, job) -> {};

    public void onFinish(FinishHook hook) {
        this.finishHook = hook;
    }

    /** A new job for the queue; returns its id. */
    public UUID create(Connection c, NewJob j) throws SQLException {
        ObjectNode row = Rows.one(c, "insert into jobs (title, type, status, model_name, input_spec, payment_offer, payment_coin, "
                        + "client_name, batch_chunk_id, excluded_providers) values (?, ?, 'pending', ?, ?::jsonb, ?, ?, ?, ?, ?) returning id",
                j.title(), j.type(), j.model(), j.inputSpec(), j.paymentOffer(), j.paymentCoin(), j.clientName(), j.batchChunkId(),
                j.avoid().toArray(UUID[]::new)).orElseThrow();
        Signals.notifyQueue(c);
        return UUID.fromString(row.get("id").asText());
    }

    /** What a new job carries. {@code avoid}: providers to pass over when another qualifies. */
    public record NewJob(String title, String type, String model, JsonNode inputSpec, BigDecimal paymentOffer,
                         String paymentCoin, String clientName, UUID batchChunkId, Set<UUID> avoid) {}

    public Optional<ObjectNode> job(Connection c, UUID id) throws SQLException {
        return Rows.one(c, "select * from jobs where id = ?", id);
    }

    /** Events of a job after {@code afterId}, in order. */
    public List<ObjectNode> eventsAfter(Connection c, UUID jobId, long afterId) throws SQLException {
        return Rows.list(c, "select id, event_type, data, created_at from job_events where job_id = ? and id > ? order by id",
                jobId, afterId);
    }

    // ---- the node side ----

    /**
     * The jobs assigned to a provider, oldest first (as the reference: they come back on every
     * poll until completed); marks them delivered.
     *
     * @return the jobs and whether any of them had not been delivered before
     */
    public Polled poll(Connection c, UUID providerId, int limit) throws SQLException {
        List<ObjectNode> rows = Rows.list(c, "select " + POLL_COLUMNS + ", polled_at is null as fresh from jobs "
                + "where provider_id = ? and status = 'assigned' order by created_at limit ?", providerId, limit);
        List<UUID> fresh = new ArrayList<>();
        ArrayNode jobs = Json.array();
        for (ObjectNode r : rows) {
            if (r.remove("fresh").asBoolean()) {
                fresh.add(UUID.fromString(r.get("id").asText()));
            }
            jobs.add(r);
        }
        if (!fresh.isEmpty()) {
            Rows.update(c, "update jobs set polled_at = now() where id = any(?) and polled_at is null", (Object) fresh.toArray(UUID[]::new));
        }
        return new Polled(jobs, !fresh.isEmpty());
    }

    public record Polled(ArrayNode jobs, boolean anyFresh) {}

    /**
     * Stores a batch of events from the job's provider; returns how many were stored (the
     * rest were duplicates by content, see the class comment).
     *
     * @throws ApiError 400 for a bad batch (any unknown event_type refuses the whole batch),
     *     404 for an unknown job, 403 when the job is not this provider's
     */
    public int postEvents(Connection c, UUID providerId, String jobIdText, JsonNode events) throws SQLException {
        if (events == null || !events.isArray() || events.isEmpty()) {
            throw ApiError.badRequest("events must be a non-empty array");
        }
        if (events.size() > EVENT_BATCH_MAX) {
            throw ApiError.badRequest("too many events (max " + EVENT_BATCH_MAX + ")");
        }
        for (JsonNode e : events) {
            if (!e.isObject() || !e.path("event_type").isTextual() || !EVENT_TYPES.contains(e.get("event_type").asText())) {
                throw ApiError.badRequest("invalid event_type (must be one of meta, token, done, error)");
            }
        }
        ObjectNode job = ownedJob(c, providerId, jobIdText);
        UUID jobId = UUID.fromString(job.get("id").asText());
        boolean terminal = false;
        boolean meta = false;
        for (ObjectNode e : Rows.list(c, "select event_type, provider_id from job_events where job_id = ? "
                + "and event_type in ('meta', 'done', 'error')", jobId)) {
            String type = e.get("event_type").asText();
            terminal |= type.equals("done") || type.equals("error");
            meta |= type.equals("meta") && providerId.toString().equals(e.path("provider_id").asText());
        }
        int stored = 0;
        boolean token = false;
        for (JsonNode e : events) {
            if (terminal) {
                break;
            }
            String type = e.get("event_type").asText();
            if (type.equals("meta")) {
                if (meta) {
                    continue;
                }
                meta = true;
            }
            JsonNode data = e.get("data") == null || e.get("data").isNull() ? Json.object() : e.get("data");
            Rows.update(c, "insert into job_events (job_id, event_type, data, provider_id) values (?, ?, ?::jsonb, ?)",
                    jobId, type, data, providerId);
            stored++;
            switch (type) {
                case "token" -> token = true;
                case "done" -> {
                    terminal = true;
                    Rows.update(c, "update jobs set finish_reason = ?, usage = coalesce(?::jsonb, usage), updated_at = now() where id = ?",
                            data.path("reason").isTextual() ? data.get("reason").asText() : "stop",
                            data.path("usage").isObject() ? data.get("usage") : null, jobId);
                }
                case "error" -> terminal = true;
                default -> { }
            }
        }
        if (token && job.get("first_token_at").isNull()) {
            Rows.update(c, "update jobs set first_token_at = now() where id = ? and first_token_at is null", jobId);
        }
        if (stored > 0) {
            Signals.notify(c, Signals.EVENTS, jobId.toString());
        }
        return stored;
    }

    /**
     * Completes a job for its provider: {@code status: "failed"} fails it (with {@code error}),
     * anything else completes it (with {@code result}) and records the payment when the job
     * offered one. A job already completed or failed is left as it is, and the answer repeats
     * its status.
     */
    public ObjectNode complete(Connection c, UUID providerId, String jobIdText, ObjectNode body) throws SQLException {
        ObjectNode job = ownedJob(c, providerId, jobIdText);
        UUID jobId = UUID.fromString(job.get("id").asText());
        String status = job.get("status").asText();
        if (status.equals("completed") || status.equals("failed")) {
            return Json.object().put("id", jobId.toString()).put("status", status);
        }
        boolean failed = "failed".equals(Json.text(body, "status"));
        JsonNode result = failed ? null : body.get("result");
        String error = failed && body.path("error").isTextual() ? truncate(body.get("error").asText(), 1024) : null;
        JsonNode usage = job.get("usage");
        if ((usage == null || usage.isNull()) && result != null && result.path("token_count").isNumber()) {
            usage = Json.object().put("completion_tokens", result.get("token_count").asInt());
        }
        finish(c, jobId, failed ? "failed" : "completed", result, error, usage);
        if (!failed) {
            pay(c, job, providerId);
        }
        return Json.object().put("id", jobId.toString()).put("status", failed ? "failed" : "completed");
    }

    /**
     * Completes an assigned job whose provider posted its {@code done} event but not its
     * completion (it went away in between): the result is what the event carries ({@code text},
     * {@code reasoning_content}, {@code tool_calls}, the token count from its {@code usage}), as
     * the provider's completion would have put it, and the provider's payment is recorded, as
     * {@link #complete} records it: the answer was delivered.
     */
    public void completeFromDone(Connection c, UUID jobId, JsonNode done) throws SQLException {
        ObjectNode job = Rows.one(c, "select * from jobs where id = ?", jobId).orElseThrow();
        ObjectNode result = Json.object().put("type", "chat").put("text", done.path("text").asText(""));
        for (String extra : new String[] {"reasoning_content", "tool_calls"}) {
            if (done.has(extra)) {
                result.set(extra, done.get(extra));
            }
        }
        if (done.path("usage").path("completion_tokens").isNumber()) {
            result.put("token_count", done.get("usage").get("completion_tokens").asInt());
        }
        result.put("completed_by", "control-plane");
        finish(c, jobId, "completed", result, null, null);
        if (!job.get("provider_id").isNull()) {
            pay(c, job, UUID.fromString(job.get("provider_id").asText()));
        }
    }

    /**
     * Ends a job (from the node API or the control plane itself), tells the finish hook and
     * wakes its watchers and the queue (a slot is free).
     */
    public void finish(Connection c, UUID jobId, String status, JsonNode result, String error, JsonNode usage) throws SQLException {
        ObjectNode ended = Rows.one(c, "update jobs set status = ?, result = coalesce(?::jsonb, result), error = coalesce(?, error), "
                        + "usage = coalesce(?::jsonb, usage), finish_reason = coalesce(finish_reason, case when ? = 'completed' then 'stop' end), "
                        + "updated_at = now(), completed_at = now() where id = ? returning *",
                status, result, error, usage == null || usage.isNull() ? null : usage, status, jobId).orElseThrow();
        finishHook.finished(c, ended);
        Signals.notify(c, Signals.EVENTS, jobId.toString());
        Signals.notifyQueue(c);
    }

    /** The reference's payment record (outbound, pending), at most one per job (a unique index). */
    private static void pay(Connection c, ObjectNode job, UUID providerId) throws SQLException {
        BigDecimal amount = job.path("payment_offer").decimalValue();
        if (amount.signum() <= 0) {
            return;
        }
        String coin = job.path("payment_coin").isTextual() ? job.get("payment_coin").asText() : "USDC";
        Optional<ObjectNode> payout = Rows.one(c, "select network, address from provider_payouts where provider_id = ? and coin = ? "
                + "order by is_default desc, created_at limit 1", providerId, coin);
        Rows.update(c, "insert into payment_transactions (direction, job_id, provider_id, coin, network, amount, amount_usd, address, "
                        + "status, metadata) values ('outbound', ?, ?, ?, ?, ?, ?, ?, 'pending', ?::jsonb) "
                        + "on conflict (job_id) where direction = 'outbound' and job_id is not null do nothing",
                UUID.fromString(job.get("id").asText()), providerId, coin,
                payout.map(p -> Json.text(p, "network")).orElse(null), amount, amount,
                payout.map(p -> Json.text(p, "address")).orElse("pending-payout"),
                Json.object().put("via", "node-api"));
    }

    /** The job, locked, when it exists and is assigned to {@code providerId}. */
    private static ObjectNode ownedJob(Connection c, UUID providerId, String jobIdText) throws SQLException {
        UUID jobId = Rows.uuid(jobIdText).orElseThrow(() -> ApiError.notFound("job not found"));
        ObjectNode job = Rows.one(c, "select * from jobs where id = ? for update", jobId)
                .orElseThrow(() -> ApiError.notFound("job not found"));
        if (!providerId.toString().equals(job.path("provider_id").asText())) {
            throw ApiError.forbidden("job not assigned to this provider");
        }
        return job;
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
