package io.infernet.node.protocol.account;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.ControlPlaneException;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * The owner's side of the control plane, as the reference's CLI calls it: the device-code login
 * (apps/cli/commands/login.js against apps/web/app/api/auth/cli/start and .../poll/[code]) and
 * the pubkey link (apps/cli/commands/pubkey.js against apps/web/app/api/v1/user/pubkey/link).
 * Paths go under the control plane's base URL (a path prefix is kept, as for the node routes;
 * the reference resolves these against the host root) and redirects are followed as for the
 * node routes. Bearer tokens are secrets: they are sent, never logged, and left out of
 * {@code toString}. Thread-safe.
 */
public final class AccountClient {

    public static final String LOGIN_START = "/api/auth/cli/start";
    public static final String PUBKEY_LINK = "/api/v1/user/pubkey/link";

    private final ControlPlaneClient cp;

    public AccountClient(ControlPlaneClient cp) {
        this.cp = Objects.requireNonNull(cp, "cp");
    }

    /** A started login: show {@code verifyUrl} to the user, poll {@code pollPath}. */
    public record LoginStart(String code, String verifyUrl, String pollPath, String expiresAt) {}

    /**
     * One poll's answer: {@code status} is pending, authorized (then token, userId, email,
     * expiresAt are set), expired, consumed or not_found.
     */
    public record Poll(String status, String token, String userId, String email, String expiresAt) {
        @Override
        public String toString() {
            return "Poll[status=" + status + ", userId=" + userId + ", email=" + email + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** The link's answer: whether this call created it, and the row's label. */
    public record Link(boolean created, String label) {}

    /** A call the control plane refused or could not answer; the message is for the user. */
    public static final class AccountException extends RuntimeException {
        private final int status;

        public AccountException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** HTTP status, or 0 for a network failure. */
        public int status() {
            return status;
        }
    }

    /** {@code POST /api/auth/cli/start}: a new device-code session. */
    public LoginStart startLogin() {
        ControlPlaneClient.Raw r = send("POST", LOGIN_START, null, Map.of("accept", "application/json"), false);
        JsonNode b = json(r);
        if (r.status() != 200 || b == null || !b.path("code").isTextual() || !b.path("poll_url").isTextual()) {
            throw new AccountException(r.status(), LOGIN_START + " answered " + r.status() + error(b, ": not a login session"));
        }
        return new LoginStart(b.get("code").asText(), Json.text(b, "verify_url"), pollPath(b.get("poll_url").asText()), Json.text(b, "expires_at"));
    }

    /**
     * {@code GET} the session's poll URL once.
     *
     * @return its status; a 404 is {@code not_found}
     * @throws AccountException for another error answer or an unreachable control plane (worth polling again)
     */
    public Poll poll(String pollPath) {
        ControlPlaneClient.Raw r = send("GET", pollPath, null, Map.of("accept", "application/json"), false);
        JsonNode b = json(r);
        if (r.status() == 404) {
            return new Poll("not_found", null, null, null, null);
        }
        if (r.status() != 200 || b == null || !b.path("status").isTextual()) {
            throw new AccountException(r.status(), "the login poll answered " + r.status() + error(b, ""));
        }
        return new Poll(b.get("status").asText(), Json.text(b, "token"), Json.text(b, "userId"), Json.text(b, "email"), Json.text(b, "expiresAt"));
    }

    /**
     * {@code POST /api/v1/user/pubkey/link} with both credentials: the bearer (the user) and the
     * node's signature (the key), body {@code {role, label?}}.
     *
     * @throws AccountException with the server's message (401 bearer, 409 linked to another account, ...)
     */
    public Link linkPubkey(String bearerToken, String role, String label) {
        ObjectNode body = Json.object().put("role", role);
        if (label != null && !label.isBlank()) {
            body.put("label", label);
        }
        ControlPlaneClient.Raw r = send("POST", PUBKEY_LINK, Json.compactBytes(body), Map.of("authorization", "Bearer " + bearerToken), true);
        JsonNode b = json(r);
        if (r.status() < 200 || r.status() >= 300) {
            throw new AccountException(r.status(), "link failed: " + (b != null && b.hasNonNull("error") ? b.get("error").asText() : "HTTP " + r.status()));
        }
        JsonNode row = b == null ? null : b.get("data");
        if (row == null || !row.isObject()) {
            throw new AccountException(r.status(), "link failed: the answer has no data");
        }
        return new Link(row.path("created").asBoolean(false), Json.text(row, "label"));
    }

    /** The poll URL as a path under the base URL: a relative one as it is, an absolute one only on the same host. */
    private String pollPath(String pollUrl) {
        if (pollUrl.startsWith("/")) {
            return pollUrl;
        }
        URI u;
        URI base = URI.create(cp.baseUrl());
        try {
            u = URI.create(pollUrl);
        } catch (IllegalArgumentException e) {
            throw new AccountException(0, "the login session's poll_url '" + pollUrl + "' is not a URL");
        }
        if (u.getHost() == null || !u.getHost().equalsIgnoreCase(base.getHost())) {
            throw new AccountException(0, "the login session's poll_url '" + pollUrl + "' points at another host than " + cp.baseUrl());
        }
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String p = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        return p.startsWith(basePath + "/") ? p.substring(basePath.length()) : p;
    }

    private ControlPlaneClient.Raw send(String method, String path, byte[] body, Map<String, String> headers, boolean sign) {
        try {
            return cp.request(method, path, body, headers, sign, path);
        } catch (ControlPlaneException e) {
            throw new AccountException(0, "could not reach " + cp.baseUrl() + ": " + e.serverMessage());
        }
    }

    private static JsonNode json(ControlPlaneClient.Raw r) {
        try {
            return r.body() == null || r.body().length == 0 ? null : Json.parse(r.body());
        } catch (IOException e) {
            return null;
        }
    }

    private static String error(JsonNode b, String otherwise) {
        if (b != null && b.hasNonNull("error")) {
            return ": " + b.get("error").asText();
        }
        return otherwise;
    }

    /** The JSON a JWT carries in its middle part, or null when {@code token} is not a JWT. */
    public static JsonNode jwtClaims(String token) {
        String[] parts = token == null ? new String[0] : token.trim().split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode n = Json.parse(java.util.Base64.getUrlDecoder().decode(parts[1]));
            return n != null && n.isObject() ? n : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
