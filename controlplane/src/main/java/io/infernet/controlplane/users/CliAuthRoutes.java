package io.infernet.controlplane.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.Http;
import io.infernet.engines.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The CLI device-code login of the reference (IPIP-0003), with the sign-in step made local:
 * <ol>
 *   <li>{@code POST /api/auth/cli/start} → {@code {code, verify_url, poll_url, expires_at}}
 *       (a session of 10 minutes);</li>
 *   <li>the session is approved for a user, either on the control plane's machine with
 *       {@code infernet control-plane user approve CODE --email EMAIL}, or in the browser at
 *       {@code verify_url} by pasting a bearer token the user already has (this control plane
 *       has no password or e-mail sign-in);</li>
 *   <li>{@code GET /api/auth/cli/poll/{code}} answers {@code pending}, {@code expired},
 *       {@code consumed}, {@code not_found} (404), or once {@code authorized} with a fresh
 *       30-day token, {@code userId}, {@code email} and {@code expiresAt}; the session is then
 *       consumed (the token is not stored).</li>
 * </ol>
 * Answers are bare JSON objects, not {@code {data}}, as the reference's.
 */
public final class CliAuthRoutes {

    static final Duration SESSION_TTL = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Db db;
    private final Users users;
    private final Supplier<String> publicUrl;

    /** @param publicUrl the control plane's URL as users reach it (for verify_url) */
    public CliAuthRoutes(Db db, Users users, Supplier<String> publicUrl) {
        this.db = db;
        this.users = users;
        this.publicUrl = publicUrl;
    }

    public void register(HttpRouting.Builder r) {
        r.post("/api/auth/cli/start", this::start);
        r.get("/api/auth/cli/poll/{code}", this::poll);
        r.get("/auth/cli/{code}", this::page);
        r.post("/auth/cli/{code}", this::approveInBrowser);
    }

    private void start(ServerRequest req, ServerResponse res) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Instant expires = Instant.now().plus(SESSION_TTL);
        db.tx(c -> Rows.update(c, "insert into cli_sessions (code, expires_at) values (?, ?)", code, expires));
        ObjectNode o = Json.object().put("code", code)
                .put("verify_url", publicUrl.get() + "/auth/cli/" + code)
                .put("poll_url", "/api/auth/cli/poll/" + code)
                .put("expires_at", Json.timestamp(expires));
        Http.json(res, 200, o);
    }

    private void poll(ServerRequest req, ServerResponse res) {
        String code = req.path().pathParameters().get("code");
        record Step(int status, ObjectNode body) {}
        Step step = db.tx(c -> {
            Optional<ObjectNode> row = Rows.one(c, "select user_id, authorized_at, consumed_at, expires_at from cli_sessions where code = ? for update", code);
            if (row.isEmpty()) {
                return new Step(404, Json.object().put("status", "not_found"));
            }
            ObjectNode r = row.get();
            if (Instant.parse(r.get("expires_at").asText()).isBefore(Instant.now())) {
                return new Step(200, Json.object().put("status", "expired"));
            }
            if (!r.get("consumed_at").isNull()) {
                return new Step(200, Json.object().put("status", "consumed"));
            }
            if (r.get("authorized_at").isNull() || r.get("user_id").isNull()) {
                return new Step(200, Json.object().put("status", "pending"));
            }
            ObjectNode user = Rows.one(c, "select id, email from auth.users where id = ?", UUID.fromString(r.get("user_id").asText())).orElseThrow();
            Rows.update(c, "update cli_sessions set consumed_at = now() where code = ?", code);
            String token = users.token(user, Bearer.DEFAULT_TTL);
            return new Step(200, Json.object().put("status", "authorized").put("token", token)
                    .put("userId", user.get("id").asText()).put("email", user.get("email").asText())
                    .put("expiresAt", Json.timestamp(Instant.now().plus(Bearer.DEFAULT_TTL))));
        });
        Http.json(res, step.status(), step.body());
    }

    /**
     * Marks a session authorized for a user (the operator's {@code user approve}).
     *
     * @return what happened, in a sentence for the operator
     */
    public static String approve(Db db, String code, UUID userId) {
        return db.tx(c -> {
            Optional<ObjectNode> row = Rows.one(c, "select authorized_at, consumed_at, expires_at from cli_sessions where code = ? for update", code);
            if (row.isEmpty()) {
                throw new IllegalArgumentException("no CLI login session with code '" + code + "' (run 'infernet login' again)");
            }
            ObjectNode r = row.get();
            if (Instant.parse(r.get("expires_at").asText()).isBefore(Instant.now())) {
                throw new IllegalArgumentException("the CLI login session '" + code + "' expired (run 'infernet login' again)");
            }
            if (!r.get("consumed_at").isNull()) {
                throw new IllegalArgumentException("the CLI login session '" + code + "' was already used");
            }
            Rows.update(c, "update cli_sessions set user_id = ?, authorized_at = now() where code = ? and authorized_at is null", userId, code);
            return "approved: the CLI that started this login receives its token at its next poll";
        });
    }

    private void page(ServerRequest req, ServerResponse res) {
        String code = req.path().pathParameters().get("code");
        Http.html(res, 200, pageHtml(code, null));
    }

    private void approveInBrowser(ServerRequest req, ServerResponse res) {
        String code = req.path().pathParameters().get("code");
        String form = new String(Http.body(req), StandardCharsets.UTF_8);
        String token = null;
        for (String kv : form.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals("token")) {
                token = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8).trim();
            }
        }
        Optional<Bearer.Claims> claims = users.bearer().verify(token);
        if (claims.isEmpty()) {
            Http.html(res, 401, pageHtml(code, "That token is not valid here (expired, or issued by another control plane)."));
            return;
        }
        try {
            String done = approve(db, code, UUID.fromString(claims.get().userId()));
            Http.html(res, 200, pageHtml(code, "Signed in as " + claims.get().email() + ": " + done + ". You can close this tab."));
        } catch (IllegalArgumentException e) {
            Http.html(res, 400, pageHtml(code, e.getMessage()));
        }
    }

    private static String pageHtml(String code, String message) {
        String c = Http.escape(code);
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Infernet CLI sign-in</title></head><body>"
                + "<h1>Sign in the Infernet CLI</h1>"
                + (message == null ? "" : "<p id=\"message\">" + Http.escape(message) + "</p>")
                + "<p>Session <code>" + c + "</code>. This control plane has no password sign-in. Approve the session either:</p>"
                + "<ul><li>on the control plane's machine: <code>./infernet control-plane user approve " + c + " --email you@example.com</code></li>"
                + "<li>or here, with a bearer token you already have (from <code>./infernet control-plane user add</code>):</li></ul>"
                + "<form method=\"post\"><input name=\"token\" size=\"60\" placeholder=\"bearer token\" autocomplete=\"off\">"
                + "<button type=\"submit\">Approve</button></form></body></html>";
    }
}
