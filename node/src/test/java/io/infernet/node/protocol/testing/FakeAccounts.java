package io.infernet.node.protocol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.EnvelopeVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user side of the fake control plane, with the reference's shapes and messages:
 * apps/web/app/api/auth/cli/start (a session: code, verify_url, poll_url, expires_at),
 * auth/cli/poll/[code] (pending, authorized with the token once, consumed, expired, 404
 * not_found), v1/user/pubkey/link (bearer and node signature both required: 401, 400 role,
 * 409 another account's, {data: {created, label, ...}}) and v1/user/nodes/[pubkey]/commands
 * (POST by the owner only: 401, 403, 400 unknown command or bad args; GET lists them). Tests
 * approve sessions as the dashboard's sign-in would. Guarded by the fake control plane's lock.
 */
final class FakeAccounts {

    /** An answer: status and JSON body. */
    record Reply(int status, ObjectNode body) {}

    /** Adds an owner-issued command to the node queue; returns its id. */
    interface CommandSink {
        String enqueue(String pubkey, String command, ObjectNode args);
    }

    private record Session(String code, Instant expiresAt, String userId, boolean consumed) {}

    private record LinkRow(String userId, String label) {}

    private static final Set<String> ROLES = Set.of("provider", "aggregator", "client");

    private final EnvelopeVerifier verifier;
    private final CommandSink sink;
    private final String base;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Map<String, String> emails = new HashMap<>(); // user id -> email
    private final Map<String, String> tokens = new HashMap<>(); // token -> user id
    private final Map<String, LinkRow> links = new HashMap<>(); // pubkey/role -> row
    private final List<ObjectNode> issued = new ArrayList<>();
    private int seq;

    FakeAccounts(EnvelopeVerifier verifier, CommandSink sink, String base) {
        this.verifier = verifier;
        this.sink = sink;
        this.base = base;
    }

    /** A user and a JWT-shaped bearer token for it (valid for 30 days). */
    String addUser(String email) {
        String id = "user-" + (++seq);
        emails.put(id, email);
        return token(id);
    }

    private String token(String userId) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        ObjectNode claims = Json.object().put("sub", userId).put("email", emails.get(userId))
                .put("exp", Instant.now().plusSeconds(30 * 86400).getEpochSecond()).put("n", ++seq);
        String t = header + "." + b64.encodeToString(Json.compactBytes(claims)) + ".c2ln";
        tokens.put(t, userId);
        return t;
    }

    /** The codes of the sessions started so far, oldest first. */
    List<String> sessionCodes() {
        return List.copyOf(sessions.keySet());
    }

    /** Approves a session for the user of {@code token}, as the dashboard's sign-in does. */
    void approve(String code, String token) {
        Session s = sessions.get(code);
        sessions.put(code, new Session(code, s.expiresAt(), tokens.get(token), false));
    }

    void expire(String code) {
        Session s = sessions.get(code);
        sessions.put(code, new Session(code, Instant.now().minusSeconds(1), s.userId(), s.consumed()));
    }

    boolean linked(String pubkey, String role) {
        return links.containsKey(pubkey + "/" + role);
    }

    Reply handle(String method, String path, String pathAndQuery, byte[] body, String authorization, String envelope) {
        if (method.equals("POST") && path.equals("/api/auth/cli/start")) {
            String code = "c" + Long.toHexString(Double.doubleToLongBits(Math.random())) + (++seq);
            Instant expires = Instant.now().plusSeconds(600);
            sessions.put(code, new Session(code, expires, null, false));
            return new Reply(200, Json.object().put("code", code).put("verify_url", base + "/auth/cli/" + code)
                    .put("poll_url", "/api/auth/cli/poll/" + code).put("expires_at", Json.timestamp(expires)));
        }
        if (method.equals("GET") && path.startsWith("/api/auth/cli/poll/")) {
            return poll(path.substring("/api/auth/cli/poll/".length()));
        }
        String user = authorization != null && authorization.startsWith("Bearer ") ? tokens.get(authorization.substring(7)) : null;
        if (method.equals("POST") && path.equals("/api/v1/user/pubkey/link")) {
            return link(user, pathAndQuery, body, envelope);
        }
        if (path.startsWith("/api/v1/user/nodes/") && path.endsWith("/commands")) {
            String pubkey = path.substring("/api/v1/user/nodes/".length(), path.length() - "/commands".length());
            return commands(method, user, pubkey, body);
        }
        return new Reply(404, error("no route " + path));
    }

    private Reply poll(String code) {
        Session s = sessions.get(code);
        if (s == null) {
            return new Reply(404, Json.object().put("status", "not_found"));
        }
        if (s.expiresAt().isBefore(Instant.now())) {
            return new Reply(200, Json.object().put("status", "expired"));
        }
        if (s.consumed()) {
            return new Reply(200, Json.object().put("status", "consumed"));
        }
        if (s.userId() == null) {
            return new Reply(200, Json.object().put("status", "pending"));
        }
        sessions.put(code, new Session(code, s.expiresAt(), s.userId(), true));
        return new Reply(200, Json.object().put("status", "authorized").put("token", token(s.userId())).put("userId", s.userId())
                .put("email", emails.get(s.userId())).put("expiresAt", Json.timestamp(Instant.now().plusSeconds(30 * 86400))));
    }

    private Reply link(String user, String pathAndQuery, byte[] body, String envelope) {
        if (user == null) {
            return new Reply(401, error("missing or invalid bearer token"));
        }
        var v = verifier.verify(envelope, "POST", pathAndQuery, body);
        if (v instanceof EnvelopeVerifier.Verification.Rejected r) {
            return new Reply(401, error(r.message()));
        }
        String pubkey = ((EnvelopeVerifier.Verification.Verified) v).pubkey();
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (java.io.IOException e) {
            return new Reply(400, error("invalid JSON body"));
        }
        String role = json.path("role").isTextual() ? json.get("role").asText().toLowerCase() : null;
        if (!ROLES.contains(role)) {
            return new Reply(400, error("role must be one of: provider, aggregator, client"));
        }
        String label = json.path("label").isTextual() && !json.get("label").asText().isBlank() ? json.get("label").asText().trim() : null;
        LinkRow existing = links.get(pubkey + "/" + role);
        if (existing != null && !existing.userId().equals(user)) {
            return new Reply(409, error("this pubkey/role is already linked to a different account"));
        }
        boolean created = existing == null;
        LinkRow row = new LinkRow(user, label != null ? label : existing == null ? null : existing.label());
        links.put(pubkey + "/" + role, row);
        ObjectNode data = Json.object().put("user_id", user).put("pubkey", pubkey).put("role", role).put("label", row.label()).put("created", created);
        ObjectNode b = Json.object();
        b.set("data", data);
        return new Reply(200, b);
    }

    private Reply commands(String method, String user, String pubkey, byte[] body) {
        if (user == null) {
            return new Reply(401, error("not signed in"));
        }
        boolean owns = links.entrySet().stream().anyMatch(e -> e.getKey().startsWith(pubkey + "/") && e.getValue().userId().equals(user));
        if (!owns) {
            return new Reply(403, error("you don't own that node"));
        }
        if (method.equals("GET")) {
            ArrayNode rows = Json.array();
            issued.stream().filter(c -> c.get("pubkey").asText().equals(pubkey)).forEach(c -> rows.add(c.deepCopy()));
            ObjectNode b = Json.object();
            b.set("data", rows);
            return new Reply(200, b);
        }
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (java.io.IOException e) {
            return new Reply(400, error("invalid JSON body"));
        }
        String command = json.path("command").asText("").trim();
        if (!command.equals("model_install") && !command.equals("model_remove")) {
            return new Reply(400, error("unknown command: " + command));
        }
        ObjectNode args = json.path("args").isObject() ? (ObjectNode) json.get("args").deepCopy() : Json.object();
        String model = args.path("model").asText("").trim();
        if (model.isEmpty() || model.length() > 256) {
            return new Reply(400, error(command + " requires args.model (1..256 chars)"));
        }
        args.put("model", model);
        String id = sink.enqueue(pubkey, command, args);
        ObjectNode row = Json.object().put("id", id).put("pubkey", pubkey).put("command", command).put("status", "pending");
        row.set("args", args);
        issued.add(row);
        ObjectNode b = Json.object();
        b.set("data", row.deepCopy());
        return new Reply(200, b);
    }

    private static ObjectNode error(String msg) {
        return Json.object().put("error", msg);
    }
}
