package io.infernet.controlplane.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.http.ApiError;
import io.infernet.controlplane.http.Http;
import io.infernet.controlplane.jobs.JobStore;
import io.infernet.engines.Json;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The twelve signed node routes under {@code /api/v1/node/}, with the reference's bodies,
 * answers ({@code {"data": ...}} or {@code {"error": msg}}), statuses and messages. Every
 * route first checks the envelope ({@link NodeAuth}: 401), then the row the pubkey owns (404
 * before register, 403 for another node's job or command).
 *
 * <p>Beyond the reference: {@code jobs/poll} long-polls when the body carries {@code wait_ms}
 * (it answers as soon as a job that was not delivered before is assigned, or when the wait is
 * over, and says {@code long_poll: true} so that a node knows it may poll again at once); a
 * poll also counts as being seen; {@code Idempotency-Key} is honoured on job events, job
 * completions and command completions ({@link Idempotency}).
 */
public final class NodeApi {

    public static final String PREFIX = "/api/v1/node/";
    private static final Map<String, String> ROLE_TABLE = Map.of("provider", "providers", "aggregator", "aggregators", "client", "clients");
    private static final int MAX_SPECS_GPUS = 16;
    private static final java.util.Set<String> VRAM_TIERS = java.util.Set.of("<8gb", "8-16gb", "16-24gb", "24-48gb", ">=48gb", "unknown");
    private static final java.util.Set<String> GPU_VENDORS = java.util.Set.of("nvidia", "amd", "apple", "intel");

    private final Db db;
    private final NodeAuth auth;
    private final Idempotency idempotency;
    private final JobStore jobs;
    private final Signals signals;
    private final Duration longPollMax;

    @FunctionalInterface
    interface Route {
        JsonNode handle(NodeAuth.Signed s, ObjectNode body, ServerRequest req);
    }

    /** @param longPollMax the longest {@code wait_ms} granted on {@code jobs/poll} */
    public NodeApi(Db db, NodeAuth auth, Idempotency idempotency, JobStore jobs, Signals signals, Duration longPollMax) {
        this.db = db;
        this.auth = auth;
        this.idempotency = idempotency;
        this.jobs = jobs;
        this.signals = signals;
        this.longPollMax = longPollMax;
    }

    public void register(HttpRouting.Builder r) {
        r.post(PREFIX + "register", plain(this::register));
        r.post(PREFIX + "heartbeat", plain(this::heartbeat));
        r.post(PREFIX + "me", plain(this::me));
        r.post(PREFIX + "jobs/poll", plain(this::pollJobs));
        r.post(PREFIX + "jobs/{id}/events", idempotent((c, s, b, req) ->
                Json.object().put("inserted", jobs.postEvents(c, provider(c, s.pubkey()), req.path().pathParameters().get("id"), b.get("events")))));
        r.post(PREFIX + "jobs/{id}/complete", idempotent((c, s, b, req) ->
                jobs.complete(c, provider(c, s.pubkey()), req.path().pathParameters().get("id"), b)));
        r.post(PREFIX + "commands/poll", plain(this::pollCommands));
        r.post(PREFIX + "commands/{id}/complete", idempotent(this::completeCommand));
        r.post(PREFIX + "payouts/set", plain(this::setPayout));
        r.post(PREFIX + "payouts/list", plain((s, b, req) -> db.tx(c -> rows(Rows.list(c,
                "select * from provider_payouts where provider_id = ? order by is_default desc, created_at asc", provider(c, s.pubkey()))))));
        r.post(PREFIX + "payments/list", plain(this::listPayments));
        r.post(PREFIX + "remove", plain(this::remove));
    }

    private io.helidon.webserver.http.Handler plain(Route route) {
        return (req, res) -> {
            NodeAuth.Signed s = auth.verify(req);
            ObjectNode body = Http.jsonObject(s.body());
            Http.data(res, route.handle(s, body, req));
        };
    }

    @FunctionalInterface
    interface TxRoute {
        JsonNode handle(Connection c, NodeAuth.Signed s, ObjectNode body, ServerRequest req) throws SQLException;
    }

    private io.helidon.webserver.http.Handler idempotent(TxRoute route) {
        return (ServerRequest req, ServerResponse res) -> {
            NodeAuth.Signed s = auth.verify(req);
            ObjectNode body = Http.jsonObject(s.body());
            String key = req.headers().first(HeaderNames.create(Idempotency.HEADER)).orElse(null);
            Idempotency.Answer a = idempotency.run(s.pubkey(), key, req.prologue().method().text(), Http.rawPathAndQuery(req), s.body(), c -> {
                ObjectNode wrapped = Json.object();
                wrapped.set("data", route.handle(c, s, body, req));
                return Idempotency.Answer.ok(wrapped);
            });
            if (key != null) {
                res.header(Idempotency.HEADER, key); // tells the node its keys are honoured, so a lost answer may be resent
            }
            if (a.replayed()) {
                res.header("Idempotent-Replayed", "true");
            }
            Http.json(res, a.status(), a.body());
        };
    }

    // ---- routes ----

    private JsonNode register(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String role = role(b);
        String table = ROLE_TABLE.get(role);
        String nodeId = Json.text(b, "node_id");
        if (nodeId == null || nodeId.isEmpty()) {
            throw ApiError.badRequest("node_id is required");
        }
        Map<String, Object> cols = new LinkedHashMap<>();
        cols.put("node_id", nodeId);
        cols.put("public_key", s.pubkey());
        cols.put("name", b.path("name").isTextual() ? b.get("name").asText() : nodeId);
        if (!role.equals("client")) {
            cols.put("status", "offline".equals(Json.text(b, "status")) ? "offline" : "available");
        }
        if (b.path("address").isTextual()) {
            cols.put("address", b.get("address").asText());
        }
        if (b.path("port").isNumber()) {
            cols.put("port", b.get("port").intValue());
        }
        if (role.equals("provider")) {
            if (b.path("gpu_model").isTextual()) {
                cols.put("gpu_model", truncate(b.get("gpu_model").asText(), 64));
            }
            if (b.path("price").isNumber()) {
                cols.put("price", b.get("price").decimalValue());
            }
            sanitizeSpecs(b.get("specs")).ifPresent(sp -> cols.put("specs", sp));
        }
        return db.tx(c -> {
            Optional<ObjectNode> existing = Rows.one(c, "select id, public_key from " + table + " where node_id = ? for update", nodeId);
            if (existing.isPresent() && existing.get().path("public_key").isTextual()
                    && !existing.get().get("public_key").asText().equals(s.pubkey())) {
                throw ApiError.forbidden("node_id is registered to a different pubkey");
            }
            List<String> names = new ArrayList<>(cols.keySet());
            StringBuilder sql = new StringBuilder("insert into ").append(table).append(" (")
                    .append(String.join(", ", names)).append(", last_seen) values (");
            for (String n : names) {
                sql.append(n.equals("specs") ? "?::jsonb, " : "?, ");
            }
            sql.append("now()) on conflict (node_id) do update set ");
            for (String n : names) {
                sql.append(n).append(" = excluded.").append(n).append(", ");
            }
            sql.append("last_seen = excluded.last_seen returning id, node_id");
            ObjectNode row = Rows.one(c, sql.toString(), cols.values().toArray()).orElseThrow();
            if (role.equals("provider")) {
                Signals.notifyQueue(c);
            }
            return row;
        });
    }

    private JsonNode heartbeat(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String role = role(b);
        String table = ROLE_TABLE.get(role);
        return db.tx(c -> {
            ObjectNode row = Rows.one(c, "select id from " + table + " where public_key = ? order by created_at desc limit 1", s.pubkey())
                    .orElseThrow(() -> ApiError.notFound("no row for this pubkey — call /register first"));
            List<String> sets = new ArrayList<>(List.of("last_seen = now()"));
            List<Object> params = new ArrayList<>();
            if (!role.equals("client")) {
                sets.add("status = ?");
                params.add("offline".equals(Json.text(b, "status")) ? "offline" : "available");
            }
            if (b.path("address").isTextual()) {
                sets.add("address = ?");
                params.add(b.get("address").asText());
            }
            if (b.path("port").isNumber()) {
                sets.add("port = ?");
                params.add(b.get("port").intValue());
            }
            if (b.path("specs").isObject()) {
                sets.add("specs = ?::jsonb");
                params.add(b.get("specs"));
            }
            params.add(UUID.fromString(row.get("id").asText()));
            Rows.update(c, "update " + table + " set " + String.join(", ", sets) + " where id = ?", params.toArray());
            if (role.equals("provider")) {
                Signals.notifyQueue(c);
            }
            return Json.object().put("id", row.get("id").asText());
        });
    }

    private JsonNode me(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String table = ROLE_TABLE.get(role(b));
        ObjectNode d = Json.object();
        d.set("row", db.read(c -> Rows.one(c, "select * from " + table + " where public_key = ? order by created_at desc limit 1", s.pubkey()))
                .<JsonNode>map(r -> r).orElse(Json.MAPPER.getNodeFactory().nullNode()));
        return d;
    }

    private JsonNode pollJobs(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        int limit = clampLimit(b.get("limit"), 5, 25);
        long waitMs = b.path("wait_ms").isNumber() ? Math.min(Math.max(0, b.get("wait_ms").longValue()), longPollMax.toMillis()) : -1;
        UUID provider = db.tx(c -> {
            UUID p = provider(c, s.pubkey());
            Rows.update(c, "update providers set last_seen = now() where id = ?", p);
            return p;
        });
        long deadline = System.nanoTime() + Math.max(0, waitMs) * 1_000_000;
        JobStore.Polled polled;
        while (true) {
            try (Signals.Waiter w = signals.register(Signals.JOBS, provider.toString())) {
                polled = db.tx(c -> jobs.poll(c, provider, limit));
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (polled.anyFresh() || waitMs <= 0 || left <= 0) {
                    break;
                }
                w.await(Math.min(left, 1_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                polled = db.tx(c -> jobs.poll(c, provider, limit));
                break;
            }
        }
        ObjectNode d = Json.object().put("provider_id", provider.toString());
        d.set("jobs", polled.jobs());
        if (waitMs >= 0) {
            d.put("long_poll", true).put("wait_ms", waitMs);
        }
        return d;
    }

    private JsonNode pollCommands(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        int limit = clampLimit(b.get("limit"), 5, 10);
        List<ObjectNode> claimed = db.tx(c -> Rows.list(c, "update node_commands set status = 'running', started_at = now() "
                + "where id in (select id from node_commands where pubkey = ? and status = 'pending' order by issued_at "
                + "limit ? for update skip locked) returning id, command, args, issued_at", s.pubkey(), limit));
        claimed.sort(java.util.Comparator.comparing(r -> r.get("issued_at").asText()));
        claimed.forEach(r -> r.remove("issued_at"));
        ObjectNode d = Json.object();
        d.set("commands", rows(claimed).get("rows"));
        return d;
    }

    private JsonNode completeCommand(Connection c, NodeAuth.Signed s, ObjectNode b, ServerRequest req) throws SQLException {
        String status = b.path("status").isValueNode() && !b.get("status").isNull() ? b.get("status").asText().trim() : "";
        if (!status.equals("completed") && !status.equals("failed")) {
            throw ApiError.badRequest("status must be completed | failed");
        }
        UUID id = Rows.uuid(req.path().pathParameters().get("id")).orElseThrow(() -> ApiError.notFound("command not found"));
        ObjectNode row = Rows.one(c, "select id, pubkey, status from node_commands where id = ? for update", id)
                .orElseThrow(() -> ApiError.notFound("command not found"));
        if (!row.get("pubkey").asText().equals(s.pubkey())) {
            throw ApiError.forbidden("command does not target this pubkey");
        }
        String was = row.get("status").asText();
        if (was.equals("completed") || was.equals("failed")) {
            return Json.object().put("id", id.toString()).put("status", was);
        }
        JsonNode result = b.get("result");
        String error = b.path("error").isTextual() && !b.get("error").asText().isEmpty() ? b.get("error").asText() : null;
        Rows.update(c, "update node_commands set status = ?, completed_at = now(), result = coalesce(?::jsonb, result), "
                + "error = coalesce(?, error) where id = ?", status, result == null || result.isMissingNode() ? null : result, error, id);
        return Json.object().put("id", id.toString()).put("status", status);
    }

    private JsonNode setPayout(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String coin = b.path("coin").isTextual() ? b.get("coin").asText().toUpperCase(Locale.ROOT) : null;
        String network = Json.text(b, "network");
        String address = Json.text(b, "address");
        if (coin == null || coin.isEmpty() || network == null || network.isEmpty() || address == null || address.isEmpty()) {
            throw ApiError.badRequest("coin, network, and address are required");
        }
        return db.tx(c -> {
            UUID provider = provider(c, s.pubkey());
            Rows.update(c, "update provider_payouts set is_default = false where provider_id = ? and is_default", provider);
            ObjectNode row = Rows.one(c, "insert into provider_payouts (provider_id, coin, network, address, is_default) "
                    + "values (?, ?, ?, ?, true) on conflict (provider_id, coin, address) do update set network = excluded.network, "
                    + "is_default = true returning *", provider, coin, network, address).orElseThrow();
            ObjectNode d = Json.object();
            d.set("row", row);
            return d;
        });
    }

    private JsonNode listPayments(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String role = role(b);
        if (role.equals("aggregator")) {
            return rows(List.of());
        }
        int limit = clampLimit(b.get("limit"), 20, 100);
        String table = ROLE_TABLE.get(role);
        return db.tx(c -> {
            ObjectNode row = Rows.one(c, "select id from " + table + " where public_key = ? order by created_at desc limit 1", s.pubkey())
                    .orElseThrow(() -> ApiError.notFound("no row for this pubkey"));
            String column = role.equals("provider") ? "provider_id" : "client_id";
            return rows(Rows.list(c, "select * from payment_transactions where " + column + " = ? order by created_at desc limit ?",
                    UUID.fromString(row.get("id").asText()), limit));
        });
    }

    private JsonNode remove(NodeAuth.Signed s, ObjectNode b, ServerRequest req) {
        String table = ROLE_TABLE.get(role(b));
        return db.tx(c -> {
            Optional<ObjectNode> row = Rows.one(c, "select id from " + table + " where public_key = ? order by created_at desc limit 1", s.pubkey());
            if (row.isEmpty()) {
                return Json.object().put("deleted", false);
            }
            UUID id = UUID.fromString(row.get().get("id").asText());
            Rows.update(c, "delete from " + table + " where id = ?", id);
            return Json.object().put("deleted", true).put("id", id.toString());
        });
    }

    // ---- shared ----

    /** The provider row of {@code pubkey}; 404 before register. */
    public static UUID provider(Connection c, String pubkey) throws SQLException {
        return Rows.one(c, "select id from providers where public_key = ? order by created_at desc limit 1", pubkey)
                .map(r -> UUID.fromString(r.get("id").asText()))
                .orElseThrow(() -> ApiError.notFound("no provider row for this pubkey"));
    }

    static String role(ObjectNode b) {
        String role = b.path("role").isTextual() ? b.get("role").asText().toLowerCase(Locale.ROOT) : null;
        if (role == null || !ROLE_TABLE.containsKey(role)) {
            throw ApiError.badRequest("role must be one of: provider, aggregator, client");
        }
        return role;
    }

    /** {@code min(max(Number(v) || dflt, 1), max)} as the reference computes it (JavaScript's Number()). */
    static int clampLimit(JsonNode v, int dflt, int max) {
        double n;
        if (v == null || v.isNull()) {
            n = Double.NaN;
        } else if (v.isNumber()) {
            n = v.doubleValue();
        } else if (v.isBoolean()) {
            n = v.booleanValue() ? 1 : 0;
        } else if (v.isTextual()) {
            try {
                n = v.asText().isBlank() ? 0 : Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                n = Double.NaN;
            }
        } else {
            n = Double.NaN;
        }
        if (Double.isNaN(n) || n == 0) {
            n = dflt;
        }
        return (int) Math.floor(Math.min(Math.max(n, 1), max));
    }

    /**
     * Register keeps only a coarse GPU summary of the specs ({@code gpus} with vendor, VRAM tier
     * and model, and {@code gpu_count}), as the reference does; heartbeats replace it whole.
     */
    static Optional<ObjectNode> sanitizeSpecs(JsonNode specs) {
        if (specs == null || !specs.isObject()) {
            return Optional.empty();
        }
        ArrayNode gpus = Json.array();
        JsonNode in = specs.get("gpus");
        int count = 0;
        if (in != null && in.isArray()) {
            for (JsonNode g : in) {
                if (count++ >= MAX_SPECS_GPUS) {
                    break;
                }
                if (!g.isObject()) {
                    continue;
                }
                String vendor = g.path("vendor").isTextual() ? g.get("vendor").asText().toLowerCase(Locale.ROOT) : "";
                String tier = g.path("vram_tier").isTextual() ? g.get("vram_tier").asText().toLowerCase(Locale.ROOT) : null;
                ObjectNode o = Json.object()
                        .put("vendor", GPU_VENDORS.contains(vendor) ? vendor : "unknown")
                        .put("vram_tier", tier != null && VRAM_TIERS.contains(tier) ? tier : vramTier(g.get("vram_mb")));
                if (g.path("model").isTextual()) {
                    o.put("model", truncate(g.get("model").asText(), 64));
                } else {
                    o.putNull("model");
                }
                gpus.add(o);
            }
        }
        ObjectNode out = Json.object();
        out.set("gpus", gpus);
        out.put("gpu_count", Math.min(count, MAX_SPECS_GPUS));
        return Optional.of(out);
    }

    static String vramTier(JsonNode mb) {
        if (mb == null || !mb.isNumber() || mb.doubleValue() <= 0) {
            return "unknown";
        }
        double v = mb.doubleValue();
        return v < 8192 ? "<8gb" : v < 16384 ? "8-16gb" : v < 24576 ? "16-24gb" : v < 49152 ? "24-48gb" : ">=48gb";
    }

    private static ObjectNode rows(List<ObjectNode> rows) {
        ObjectNode d = Json.object();
        d.set("rows", Rows.array(rows));
        return d;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
