package io.infernet.controlplane.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.ApiError;
import io.infernet.controlplane.http.Http;
import io.infernet.controlplane.node.NodeAuth;
import io.infernet.engines.Json;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The owner's routes, as the reference has them:
 * <ul>
 *   <li>{@code POST /api/v1/user/pubkey/link}: a bearer token (the user) and an
 *       {@code X-Infernet-Auth} envelope (the key) together claim a pubkey for the user;</li>
 *   <li>{@code POST /api/v1/user/nodes/{pubkey}/commands} queues {@code model_install} or
 *       {@code model_remove} for a node the user owns; {@code GET} lists its recent commands.
 *       The node receives them through {@code commands/poll}.</li>
 * </ul>
 * No token: 401; not the owner: 403 (not 404, so an owner with a typo learns something).
 */
public final class UserRoutes {

    static final Set<String> COMMANDS = Set.of("model_install", "model_remove");
    private static final Set<String> ROLES = Set.of("provider", "aggregator", "client");

    private final Db db;
    private final Users users;
    private final NodeAuth auth;

    public UserRoutes(Db db, Users users, NodeAuth auth) {
        this.db = db;
        this.users = users;
        this.auth = auth;
    }

    public void register(HttpRouting.Builder r) {
        r.post("/api/v1/user/pubkey/link", this::link);
        r.post("/api/v1/user/nodes/{pubkey}/commands", this::issue);
        r.get("/api/v1/user/nodes/{pubkey}/commands", this::list);
    }

    /** The user of the request's bearer token, if any. */
    public Optional<Bearer.Claims> user(ServerRequest req) {
        return users.bearer().verifyHeader(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
    }

    private void link(ServerRequest req, ServerResponse res) {
        Bearer.Claims claims = user(req).orElseThrow(() -> ApiError.unauthorized("missing or invalid bearer token"));
        NodeAuth.Signed s = auth.verify(req);
        ObjectNode b = Http.jsonObject(s.body());
        String role = b.path("role").isTextual() ? b.get("role").asText().toLowerCase(Locale.ROOT) : null;
        if (role == null || !ROLES.contains(role)) {
            throw ApiError.badRequest("role must be one of: provider, aggregator, client");
        }
        String label = b.path("label").isTextual() && !b.get("label").asText().isBlank()
                ? truncate(b.get("label").asText().trim(), 80) : null;
        UUID userId = Rows.uuid(claims.userId()).orElseThrow(() -> ApiError.unauthorized("missing or invalid bearer token"));
        ObjectNode data = db.tx(c -> {
            Optional<ObjectNode> existing = Rows.one(c, "select id, user_id, label from pubkey_links where pubkey = ? and role = ? for update",
                    s.pubkey(), role);
            if (existing.isPresent()) {
                ObjectNode e = existing.get();
                if (!e.get("user_id").asText().equals(userId.toString())) {
                    throw new ApiError(409, "this pubkey/role is already linked to a different account");
                }
                if (label != null && !label.equals(Json.text(e, "label"))) {
                    Rows.update(c, "update pubkey_links set label = ? where id = ?", label, UUID.fromString(e.get("id").asText()));
                }
                ObjectNode d = Json.object().put("id", e.get("id").asText()).put("user_id", userId.toString())
                        .put("pubkey", s.pubkey()).put("role", role);
                d.set("label", label != null ? Json.MAPPER.getNodeFactory().textNode(label) : e.get("label"));
                return d.put("created", false);
            }
            ObjectNode row = Rows.one(c, "insert into pubkey_links (user_id, pubkey, role, label) values (?, ?, ?, ?) "
                    + "returning id, user_id, pubkey, role, label, created_at", userId, s.pubkey(), role, label).orElseThrow();
            return row.put("created", true);
        });
        Http.data(res, data);
    }

    private String owner(ServerRequest req) {
        Bearer.Claims claims = user(req).orElseThrow(() -> ApiError.unauthorized("not signed in"));
        String pubkey = req.path().pathParameters().get("pubkey");
        UUID userId = Rows.uuid(claims.userId()).orElseThrow(() -> ApiError.unauthorized("not signed in"));
        boolean owns = db.read(c -> Rows.one(c, "select id from pubkey_links where user_id = ? and pubkey = ? limit 1", userId, pubkey)).isPresent();
        if (!owns) {
            throw ApiError.forbidden("you don't own that node");
        }
        return claims.userId();
    }

    private void issue(ServerRequest req, ServerResponse res) {
        String userId = owner(req);
        String pubkey = req.path().pathParameters().get("pubkey");
        JsonNode body;
        try {
            body = Json.parse(Http.body(req));
        } catch (IOException e) {
            throw ApiError.badRequest("invalid JSON body");
        }
        String command = body.path("command").isValueNode() && !body.get("command").isNull() ? body.get("command").asText().trim() : "";
        ObjectNode args = body.path("args").isObject() ? (ObjectNode) body.get("args").deepCopy() : Json.object();
        if (!COMMANDS.contains(command)) {
            throw ApiError.badRequest("unknown command: " + command);
        }
        String model = args.path("model").isValueNode() && !args.get("model").isNull() ? args.get("model").asText().trim() : "";
        if (model.isEmpty() || model.length() > 256) {
            throw ApiError.badRequest(command + " requires args.model (1..256 chars)");
        }
        args.put("model", model);
        ObjectNode row = db.tx(c -> Rows.one(c, "insert into node_commands (pubkey, command, args, issued_by, status) "
                + "values (?, ?, ?::jsonb, ?, 'pending') returning id, command, args, status, issued_at",
                pubkey, command, args, UUID.fromString(userId)).orElseThrow());
        Http.data(res, row);
    }

    private void list(ServerRequest req, ServerResponse res) {
        owner(req);
        String pubkey = req.path().pathParameters().get("pubkey");
        int limit;
        try {
            limit = Integer.parseInt(req.query().first("limit").orElse("20"));
        } catch (NumberFormatException e) {
            limit = 20;
        }
        int l = Math.min(Math.max(limit == 0 ? 20 : limit, 1), 100);
        Http.data(res, Rows.array(db.read(c -> Rows.list(c, "select id, command, args, status, result, error, issued_at, started_at, completed_at "
                + "from node_commands where pubkey = ? order by issued_at desc limit ?", pubkey, l))));
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
