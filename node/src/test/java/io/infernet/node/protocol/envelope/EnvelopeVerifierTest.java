package io.infernet.node.protocol.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.identity.NodeKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Every check of the verifier, in order, with the control plane's exact messages. */
class EnvelopeVerifierTest {

    static final long T = 1745000000L;
    static final String PATH = "/api/v1/node/heartbeat";
    static final byte[] BODY = "{\"role\":\"provider\"}".getBytes(StandardCharsets.UTF_8);
    static final String NONCE = "000102030405060708090a0b0c0d0e0f";

    private final NodeKey key = NodeKey.fromHex(ProtocolVectorsTest.SK, "test key");
    private final MutableClock clock = new MutableClock(Instant.ofEpochSecond(T));
    private final EnvelopeVerifier verifier = new EnvelopeVerifier(clock);
    private final EnvelopeSigner signer = new EnvelopeSigner(key, clock, new SecureRandom());

    private AuthEnvelope env(long createdAt, String nonce) {
        return signer.sign("POST", PATH, BODY, createdAt, nonce, new byte[32]);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private String message(String header) {
        var v = verifier.verify(header, "POST", PATH, BODY);
        return v instanceof EnvelopeVerifier.Verification.Rejected r ? r.message() : "ok";
    }

    private String json(String v, String pubkey, String createdAt, String nonce, String sig) {
        return "{\"v\":" + v + ",\"pubkey\":" + pubkey + ",\"created_at\":" + createdAt + ",\"nonce\":" + nonce + ",\"sig\":" + sig + "}";
    }

    private String goodJson(AuthEnvelope e) {
        return json("1", q(e.pubkey()), Long.toString(e.createdAt()), q(e.nonce()), q(e.sig()));
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    @Test
    void missingHeader() {
        assertEquals("missing X-Infernet-Auth header", message(null));
        assertEquals("missing X-Infernet-Auth header", message(""));
    }

    @Test
    void notBase64Json() {
        assertTrue(message(b64("not json")).startsWith("invalid X-Infernet-Auth envelope: "));
        assertTrue(message("%%%").startsWith("invalid X-Infernet-Auth envelope: "));
        assertEquals("invalid X-Infernet-Auth envelope: not a JSON object", message(b64("[1,2]")));
    }

    @Test
    void version() {
        AuthEnvelope e = env(T, NONCE);
        assertEquals("unsupported envelope version: 2", message(b64(json("2", q(e.pubkey()), "1", q("n"), q(e.sig())))));
        assertEquals("unsupported envelope version: 1", message(b64(json("\"1\"", q(e.pubkey()), "1", q("n"), q(e.sig())))));
        assertEquals("unsupported envelope version: undefined", message(b64("{\"pubkey\":\"x\"}")));
    }

    @Test
    void pubkey() {
        AuthEnvelope e = env(T, NONCE);
        assertEquals("envelope pubkey must be 64 hex chars", message(b64(json("1", q("abc"), "1", q("n"), q(e.sig())))));
        assertEquals("envelope pubkey must be 64 hex chars", message(b64(json("1", q("g" + e.pubkey().substring(1)), "1", q("n"), q(e.sig())))));
        assertEquals("envelope pubkey must be 64 hex chars", message(b64(json("1", "7", "1", q("n"), q(e.sig())))));
    }

    @Test
    void createdAt() {
        AuthEnvelope e = env(T, NONCE);
        assertEquals("envelope created_at must be a number", message(b64(json("1", q(e.pubkey()), q("1745000000"), q("n"), q(e.sig())))));
        assertEquals("envelope created_at must be a number", message(b64(json("1", q(e.pubkey()), "null", q("n"), q(e.sig())))));
    }

    @Test
    void nonce() {
        AuthEnvelope e = env(T, NONCE);
        assertEquals("envelope nonce must be a non-empty string", message(b64(json("1", q(e.pubkey()), "1", q(""), q(e.sig())))));
        assertEquals("envelope nonce must be a non-empty string", message(b64(json("1", q(e.pubkey()), "1", "5", q(e.sig())))));
    }

    @Test
    void sig() {
        AuthEnvelope e = env(T, NONCE);
        assertEquals("envelope sig must be a 128-char hex string", message(b64(json("1", q(e.pubkey()), "1", q("n"), q(e.sig().substring(2))))));
        assertEquals("envelope sig must be a 128-char hex string", message(b64(json("1", q(e.pubkey()), "1", q("n"), q("z" + e.sig().substring(1))))));
    }

    @Test
    void replayWindowSixtyPassesSixtyOneFails() {
        assertEquals("ok", message(env(T - 60, "a1").headerValue()));
        assertEquals("ok", message(env(T + 60, "a2").headerValue()));
        assertEquals("timestamp outside replay window (skew=61s)", message(env(T - 61, "a3").headerValue()));
        assertEquals("timestamp outside replay window (skew=-61s)", message(env(T + 61, "a4").headerValue()));
    }

    @Test
    void badSignature() {
        AuthEnvelope e = env(T, NONCE);
        char c = e.sig().charAt(127) == '0' ? '1' : '0';
        String tampered = e.sig().substring(0, 127) + c;
        assertEquals("signature verification failed", message(b64(json("1", q(e.pubkey()), Long.toString(T), q(NONCE), q(tampered)))));
        // A valid envelope for another body or path fails too.
        assertEquals("signature verification failed",
                ((EnvelopeVerifier.Verification.Rejected) verifier.verify(e.headerValue(), "POST", "/api/v1/node/me", BODY)).message());
    }

    @Test
    void nonceReuseIsRefusedButOnlyAfterASuccess() {
        AuthEnvelope e = env(T, NONCE);
        // A failed verification with this nonce does not burn it.
        char c = e.sig().charAt(0) == 'a' ? 'b' : 'a';
        assertEquals("signature verification failed", message(b64(json("1", q(e.pubkey()), Long.toString(T), q(NONCE), q(c + e.sig().substring(1))))));
        assertEquals("ok", message(e.headerValue()));
        assertEquals("nonce already used", message(e.headerValue()));
    }

    @Test
    void lenientDecoding() {
        AuthEnvelope e = env(T, "b1");
        String upper = json("1", q(e.pubkey().toUpperCase(Locale.ROOT)), Long.toString(T), q("b1"), q(e.sig().toUpperCase(Locale.ROOT)));
        String padded = Base64.getEncoder().encodeToString(upper.getBytes(StandardCharsets.UTF_8)); // standard alphabet, padded
        var v = verifier.verify(padded, "post", PATH, BODY);
        assertEquals(new EnvelopeVerifier.Verification.Verified(e.pubkey(), e.nonce()), v);
        String other = goodJson(env(T, "b2"));
        assertEquals("ok", message(Base64.getUrlEncoder().encodeToString(other.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void nonceCacheExpiresAfterTtlAndEvictsOldest() {
        NonceCache cache = new NonceCache(Duration.ofSeconds(120), 3);
        Instant t0 = Instant.ofEpochSecond(T);
        assertTrue(cache.tryRecord("a", t0));
        assertEquals(false, cache.tryRecord("a", t0.plusSeconds(119)));
        assertTrue(cache.tryRecord("a", t0.plusSeconds(120)), "expired after the TTL");
        assertTrue(cache.tryRecord("b", t0.plusSeconds(121)));
        assertTrue(cache.tryRecord("c", t0.plusSeconds(122)));
        assertTrue(cache.tryRecord("d", t0.plusSeconds(123)));
        assertEquals(3, cache.size());
        assertTrue(cache.tryRecord("a", t0.plusSeconds(124)), "the oldest (a) was evicted");
        assertEquals(false, cache.tryRecord("d", t0.plusSeconds(125)));
    }

    @Test
    void defaultCacheHoldsTenThousand() {
        EnvelopeVerifier v = new EnvelopeVerifier(clock);
        assertEquals(10_000, EnvelopeVerifier.NONCE_CACHE_MAX);
        assertEquals(Duration.ofSeconds(120), EnvelopeVerifier.NONCE_TTL);
        assertTrue(v.verify(env(T, "c1").headerValue(), "POST", PATH, BODY).ok());
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant t) {
            now = t;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
