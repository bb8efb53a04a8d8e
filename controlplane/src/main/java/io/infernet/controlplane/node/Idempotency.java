package io.infernet.controlplane.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.ApiError;
import io.infernet.node.protocol.envelope.Canonical;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code Idempotency-Key} header on node writes (job events, job and command completions).
 * The first request with a key runs and its answer is stored with the key, in the same
 * transaction as its effects; a later request with the same key from the same pubkey gets the
 * stored answer and changes nothing (also when it arrives while the first is still running: it
 * waits for the first to commit). Reusing a key for a different request (method, path or body
 * differ) is a 422. A refused request (4xx) stores nothing, so its key may be retried. Keys are
 * kept for {@link #RETENTION_HOURS} hours.
 */
public final class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    public static final int RETENTION_HOURS = 24;
    private static final int MAX_KEY_LENGTH = 255;

    /** A route's answer: status and JSON body. */
    public record Answer(int status, ObjectNode body, boolean replayed) {
        public static Answer ok(ObjectNode body) {
            return new Answer(200, body, false);
        }
    }

    private final Db db;

    public Idempotency(Db db) {
        this.db = db;
    }

    /**
     * Runs {@code work} in one transaction, once per ({@code pubkey}, {@code key}).
     *
     * @param key the header's value, or null to just run {@code work}
     */
    public Answer run(String pubkey, String key, String method, String path, byte[] body, Db.Work<Answer> work) {
        if (key == null) {
            return db.tx(work);
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7e)) {
            throw ApiError.badRequest(HEADER + " must be 1.." + MAX_KEY_LENGTH + " printable ASCII characters without spaces");
        }
        String hash = Canonical.bodyHash((method + "\n" + path + "\n").getBytes(StandardCharsets.UTF_8))
                + Canonical.bodyHash(body);
        return db.tx(c -> {
            int fresh = Rows.update(c, "insert into idempotency_keys (pubkey, key, request_hash) values (?, ?, ?) "
                    + "on conflict (pubkey, key) do nothing", pubkey, key, hash);
            if (fresh == 0) {
                return stored(c, pubkey, key, hash);
            }
            Answer a = work.run(c);
            Rows.update(c, "update idempotency_keys set status_code = ?, response = ?::jsonb where pubkey = ? and key = ?",
                    a.status(), a.body(), pubkey, key);
            return a;
        });
    }

    private static Answer stored(Connection c, String pubkey, String key, String hash) throws SQLException {
        ObjectNode row = Rows.one(c, "select request_hash, status_code, response from idempotency_keys where pubkey = ? and key = ?",
                pubkey, key).orElseThrow(() -> new IllegalStateException("idempotency key vanished"));
        if (!hash.equals(row.get("request_hash").asText())) {
            throw new ApiError(422, HEADER + " '" + key + "' was already used for a different request");
        }
        return new Answer(row.get("status_code").asInt(), (ObjectNode) row.get("response"), true);
    }

    /** Forgets keys older than the retention. */
    public int expire() {
        return db.tx(c -> Rows.update(c, "delete from idempotency_keys where created_at < now() - make_interval(hours => ?)",
                RETENTION_HOURS));
    }
}
