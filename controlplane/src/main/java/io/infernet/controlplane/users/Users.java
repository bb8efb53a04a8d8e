package io.infernet.controlplane.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.engines.Json;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The people behind bearer tokens ({@code auth.users}, Supabase's table in the reference) and
 * the token secret. The secret is {@code $INFERNET_CLI_SESSION_SECRET} when set (as the
 * reference), else 32 random bytes made on first use and kept in {@code settings}
 * ({@code cli_session_secret}), so that every control plane on the database accepts the same
 * tokens. Thread-safe.
 */
public final class Users {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");
    private final Db db;
    private final Bearer bearer;

    public Users(Db db, Clock clock) {
        this.db = db;
        this.bearer = new Bearer(secret(db), clock);
    }

    public Bearer bearer() {
        return bearer;
    }

    private static byte[] secret(Db db) {
        String env = System.getenv("INFERNET_CLI_SESSION_SECRET");
        if (env != null && !env.isBlank()) {
            return env.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        String hex = db.tx(c -> {
            Rows.update(c, "insert into settings (key, value) values ('cli_session_secret', ?::jsonb) on conflict (key) do nothing",
                    Json.object().put("secret", HexFormat.of().formatHex(fresh)));
            return Rows.one(c, "select value from settings where key = 'cli_session_secret'").orElseThrow()
                    .get("value").get("secret").asText();
        });
        return HexFormat.of().parseHex(hex);
    }

    /** The user with {@code email}, created when missing. */
    public ObjectNode ensure(String email) {
        String e = checkEmail(email);
        return db.tx(c -> {
            Rows.update(c, "insert into auth.users (email) values (?) on conflict (email) do nothing", e);
            return Rows.one(c, "select id, email, created_at from auth.users where email = ?", e).orElseThrow();
        });
    }

    public Optional<ObjectNode> byEmail(String email) {
        return db.read(c -> Rows.one(c, "select id, email, created_at from auth.users where email = ?", checkEmail(email)));
    }

    public Optional<ObjectNode> byId(UUID id) {
        return db.read(c -> Rows.one(c, "select id, email, created_at from auth.users where id = ?", id));
    }

    /** A fresh bearer token for a user row. */
    public String token(ObjectNode user, java.time.Duration ttl) {
        return bearer.issue(user.get("id").asText(), user.get("email").asText(), ttl);
    }

    static String checkEmail(String email) {
        String e = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        if (!EMAIL.matcher(e).matches()) {
            throw new IllegalArgumentException("'" + email + "' is not an email address");
        }
        return e;
    }
}
