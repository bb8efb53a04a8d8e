package io.infernet.node.protocol.envelope;

import io.infernet.node.protocol.identity.Bip340;
import io.infernet.node.protocol.identity.NodeKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Makes {@code X-Infernet-Auth} header values for node requests: a fresh nonce, the current
 * Unix second and a BIP-340 signature over the canonical digest. Thread-safe.
 */
public final class EnvelopeSigner {

    private static final HexFormat HEX = HexFormat.of();

    private final NodeKey key;
    private final Clock clock;
    private final SecureRandom random;

    public EnvelopeSigner(NodeKey key, Clock clock, SecureRandom random) {
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    public EnvelopeSigner(NodeKey key) {
        this(key, Clock.systemUTC(), new SecureRandom());
    }

    public String publicKeyHex() {
        return key.publicKeyHex();
    }

    /**
     * The header value for one request. Call once per attempt: a retried request needs a new
     * nonce, since the control plane remembers every nonce it accepted.
     *
     * @param pathAndQuery the request path with its query string, exactly as sent
     * @param body         the exact body bytes sent
     */
    public String headerValue(String method, String pathAndQuery, byte[] body) {
        byte[] nonce = new byte[16];
        byte[] aux = new byte[Bip340.AUX_BYTES];
        random.nextBytes(nonce);
        random.nextBytes(aux);
        return sign(method, pathAndQuery, body, clock.instant().getEpochSecond(), HEX.formatHex(nonce), aux).headerValue();
    }

    /** The envelope for fixed inputs (reproducible with fixed aux bytes; used by the test vectors). */
    public AuthEnvelope sign(String method, String pathAndQuery, byte[] body, long createdAt, String nonce, byte[] aux) {
        String canonical = Canonical.canonical(method, pathAndQuery, Long.toString(createdAt), nonce, Canonical.bodyHash(body));
        byte[] sig = key.sign(Canonical.digest(canonical), aux);
        return new AuthEnvelope(key.publicKeyHex(), createdAt, nonce, HEX.formatHex(sig));
    }
}
