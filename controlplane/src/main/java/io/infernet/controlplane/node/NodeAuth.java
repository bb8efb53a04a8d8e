package io.infernet.controlplane.node;

import io.helidon.webserver.http.ServerRequest;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.http.ApiError;
import io.infernet.controlplane.http.Http;
import io.infernet.node.protocol.envelope.AuthEnvelope;
import io.infernet.node.protocol.envelope.EnvelopeVerifier;
import io.infernet.node.protocol.envelope.EnvelopeVerifier.Verification;
import java.time.Clock;

/**
 * Checks a node request's {@code X-Infernet-Auth} envelope: the project's
 * {@link EnvelopeVerifier} (the reference's checks, order and messages, 60 s window, a per
 * process nonce cache), then the nonce once more against {@code auth_nonces}, the table every
 * control plane on the database shares. A nonce accepted by one control plane is refused by
 * all others ({@code nonce already used}), which a per-process cache alone would not do.
 * Every refusal is a 401 {@code {"error": message}}. Thread-safe.
 */
public final class NodeAuth {

    private final EnvelopeVerifier verifier;
    private final Db db;

    public NodeAuth(Db db, Clock clock) {
        this.db = db;
        this.verifier = new EnvelopeVerifier(clock);
    }

    /** A verified request: the signer's pubkey (lowercase hex) and the exact body it signed. */
    public record Signed(String pubkey, byte[] body) {}

    /** @throws ApiError 401 with the reference's message */
    public Signed verify(ServerRequest req) {
        byte[] body = Http.body(req);
        String header = req.headers().first(io.helidon.http.HeaderNames.create(AuthEnvelope.HEADER)).orElse(null);
        Verification v = verifier.verify(header, req.prologue().method().text(), Http.rawPathAndQuery(req), body);
        if (v instanceof Verification.Rejected r) {
            throw ApiError.unauthorized(r.message());
        }
        Verification.Verified ok = (Verification.Verified) v;
        String pubkey = ok.pubkey();
        String nonce = ok.nonce();
        int inserted = db.tx(c -> Rows.update(c,
                "insert into auth_nonces (nonce) values (?) on conflict (nonce) do nothing", nonce));
        if (inserted == 0) {
            throw ApiError.unauthorized("nonce already used");
        }
        return new Signed(pubkey, body);
    }

    /** Forgets nonces older than the verifier's cache TTL (they fail the 60 s window anyway). */
    public int expireNonces() {
        return db.tx(c -> Rows.update(c, "delete from auth_nonces where seen_at < now() - make_interval(secs => ?)",
                (double) EnvelopeVerifier.NONCE_TTL.toSeconds()));
    }
}
