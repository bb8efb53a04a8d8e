package io.infernet.controlplane.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.http.ApiError;
import io.infernet.controlplane.http.Http;
import io.infernet.controlplane.users.Bearer;
import io.infernet.controlplane.users.UserRoutes;
import io.infernet.engines.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * The batch endpoints of IPIP-0013, for a signed-in user (bearer token; another user's batch is
 * a 404):
 * <ul>
 *   <li>{@code POST /api/v1/jobs/batch} → 202 {@code {job_id, chunk_count, status_url}};</li>
 *   <li>{@code GET /api/v1/jobs/batch/{id}/status} → state, chunk counts, progress;</li>
 *   <li>{@code GET /api/v1/jobs/batch/{id}/results} → the manifest (IPIP shape; results inline,
 *       since this control plane has no object store: {@code items[i]} has the item's
 *       result or error);</li>
 *   <li>{@code POST /api/v1/jobs/batch/{id}/cancel} → unfinished chunks end, queued jobs fail.</li>
 * </ul>
 */
public final class BatchRoutes {

    private final Db db;
    private final UserRoutes users;

    public BatchRoutes(Db db, UserRoutes users) {
        this.db = db;
        this.users = users;
    }

    public void register(HttpRouting.Builder r) {
        r.post("/api/v1/jobs/batch", this::submit);
        r.get("/api/v1/jobs/batch/{id}/status", (req, res) -> Http.json(res, 200, db.read(c -> status(c, owned(c, req)))));
        r.get("/api/v1/jobs/batch/{id}/results", (req, res) -> Http.json(res, 200, db.read(c -> manifest(c, owned(c, req)))));
        r.post("/api/v1/jobs/batch/{id}/cancel", this::cancel);
    }

    private UUID user(ServerRequest req) {
        Bearer.Claims claims = users.user(req).orElseThrow(() -> ApiError.unauthorized("not signed in: send Authorization: Bearer <token>"));
        return Rows.uuid(claims.userId()).orElseThrow(() -> ApiError.unauthorized("not signed in"));
    }

    private ObjectNode owned(Connection c, ServerRequest req) throws SQLException {
        UUID user = user(req);
        UUID id = Rows.uuid(req.path().pathParameters().get("id")).orElseThrow(() -> ApiError.notFound("batch not found"));
        return Rows.one(c, "select * from jobs_batch where id = ? and user_id = ?", id, user)
                .orElseThrow(() -> ApiError.notFound("batch not found"));
    }

    private void submit(ServerRequest req, ServerResponse res) {
        UUID user = user(req);
        JsonNode body;
        try {
            body = Json.parse(Http.body(req));
        } catch (IOException e) {
            throw ApiError.badRequest("invalid JSON body");
        }
        BatchSpec spec = BatchSpec.parse(body);
        List<ObjectNode> chunks = spec.chunks();
        UUID id = db.tx(c -> {
            ObjectNode options = spec.options().deepCopy();
            options.put("chunk_size", spec.chunkSize()).put("max_concurrency", spec.maxConcurrency()).put("max_attempts", spec.maxAttempts());
            UUID batch = UUID.fromString(Rows.one(c, "insert into jobs_batch (user_id, kind, model, status, chunk_count, item_count, options) "
                    + "values (?, ?, ?, 'queued', ?, ?, ?::jsonb) returning id", user, spec.kind(), spec.model(), chunks.size(),
                    spec.items().size(), options).orElseThrow().get("id").asText());
            for (int i = 0; i < chunks.size(); i++) {
                Rows.update(c, "insert into jobs_batch_chunks (job_id, chunk_index, status, max_attempts, payload) values (?, ?, 'queued', ?, ?::jsonb)",
                        batch, i, spec.maxAttempts(), chunks.get(i));
            }
            Signals.notifyQueue(c);
            return batch;
        });
        Http.json(res, 202, Json.object().put("job_id", id.toString()).put("chunk_count", chunks.size())
                .put("status_url", "/api/v1/jobs/batch/" + id + "/status"));
    }

    static ObjectNode status(Connection c, ObjectNode b) throws SQLException {
        UUID id = UUID.fromString(b.get("id").asText());
        ObjectNode counts = Rows.one(c, "select count(*) as total, count(*) filter (where status = 'queued') as queued, "
                + "count(*) filter (where status = 'running') as running, count(*) filter (where status = 'done') as done, "
                + "count(*) filter (where status in ('failed', 'failed_terminal')) as failed, "
                + "count(*) filter (where status = 'failed') as retrying, "
                + "coalesce(sum((select count(*) from jsonb_object_keys(coalesce(result, '{}'::jsonb)))), 0) as items_done "
                + "from jobs_batch_chunks where job_id = ?", id).orElseThrow();
        ObjectNode o = Json.object().put("job_id", id.toString()).put("kind", b.get("kind").asText()).put("model", b.get("model").asText())
                .put("status", b.get("status").asText());
        o.set("chunks", counts);
        int total = counts.get("total").asInt();
        o.put("progress", total == 0 ? 0 : Math.round(counts.get("done").asDouble() / total * 1000) / 1000.0);
        o.put("items", b.get("item_count").asInt()).put("items_done", counts.get("items_done").asInt());
        for (String f : List.of("created_at", "started_at", "completed_at", "result_manifest_url")) {
            o.set(f, b.get(f));
        }
        return o;
    }

    static ObjectNode manifest(Connection c, ObjectNode b) throws SQLException {
        UUID id = UUID.fromString(b.get("id").asText());
        ObjectNode m = Json.object().put("v", 1).put("job_id", id.toString()).put("kind", b.get("kind").asText())
                .put("model", b.get("model").asText()).put("status", b.get("status").asText());
        ArrayNode chunks = m.putArray("chunks");
        int itemCount = b.get("item_count").asInt();
        ArrayNode items = Json.array();
        for (int i = 0; i < itemCount; i++) {
            items.addObject().put("index", i).put("status", "pending");
        }
        int done = 0;
        int failed = 0;
        for (ObjectNode k : Rows.list(c, "select k.chunk_index, k.status, k.result, k.result_url, k.last_error, k.attempts, "
                + "(select array_agg(p.public_key) from providers p where p.id = any(k.providers)) as provider_keys, "
                + "(select p.public_key from providers p where p.id = k.last_provider) as last_key "
                + "from jobs_batch_chunks k where k.job_id = ? order by k.chunk_index", id)) {
            ObjectNode e = chunks.addObject().put("index", k.get("chunk_index").asInt()).put("status", k.get("status").asText())
                    .put("attempts", k.get("attempts").asInt());
            switch (k.get("status").asText()) {
                case "done" -> {
                    done++;
                    e.set("result_url", k.get("result_url"));
                    e.set("providers", k.get("provider_keys"));
                }
                case "failed_terminal" -> {
                    failed++;
                    e.put("error", k.path("last_error").asText("all retries exhausted"));
                    e.set("last_provider", k.get("last_key"));
                }
                default -> { }
            }
            JsonNode results = k.get("result");
            if (results.isObject()) {
                results.fields().forEachRemaining(r -> {
                    ObjectNode it = (ObjectNode) items.get(Integer.parseInt(r.getKey()));
                    it.put("status", "done");
                    it.set("result", r.getValue());
                });
            }
            if (k.get("status").asText().equals("failed_terminal")) {
                String err = k.path("last_error").asText("all retries exhausted");
                items.forEach(it -> {
                    if (it.get("status").asText().equals("pending") && chunkOf(it, b) == k.get("chunk_index").asInt()) {
                        ((ObjectNode) it).put("status", "failed").put("error", err);
                    }
                });
            }
        }
        ObjectNode summary = m.putObject("summary").put("total", chunks.size()).put("done", done).put("failed", failed);
        summary.set("completed_at", b.get("completed_at"));
        m.set("items", items);
        return m;
    }

    private static int chunkOf(JsonNode item, ObjectNode batch) {
        return item.get("index").asInt() / batch.path("options").path("chunk_size").asInt(1);
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        ObjectNode out = db.tx(c -> {
            ObjectNode b = owned(c, req);
            UUID id = UUID.fromString(b.get("id").asText());
            Rows.update(c, "update jobs_batch set status = 'cancelled', completed_at = now() where id = ? and status in ('queued', 'in_progress')", id);
            Rows.update(c, "update jobs_batch_chunks set status = 'failed_terminal', last_error = 'cancelled', done_at = now() "
                    + "where job_id = ? and status in ('queued', 'running', 'failed')", id);
            Rows.update(c, "update jobs set status = 'failed', error = 'batch cancelled', updated_at = now(), completed_at = now() "
                    + "where status = 'pending' and batch_chunk_id in (select k.id from jobs_batch_chunks k where k.job_id = ?)", id);
            return status(c, Rows.one(c, "select * from jobs_batch where id = ?", id).orElseThrow());
        });
        Http.json(res, 200, out);
    }
}
