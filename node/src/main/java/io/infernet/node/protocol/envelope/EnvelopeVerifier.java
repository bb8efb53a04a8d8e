package io.infernet.node.protocol.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.identity.Bip340;
import io.infernet.node.protocol.identity.NodeKey;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks {@code X-Infernet-Auth} headers as the control plane does: the same checks, in the
 * same order, with the same messages (each one a 401 {@code {"error": message}} there).
 * Decoding is lenient: padding, the standard base64 alphabet and uppercase hex are accepted.
 * One verifier is one nonce cache ("per process" on the control plane). Thread-safe.
 */
public final class EnvelopeVerifier {

    /** Largest accepted |now - created_at|, in seconds (60 passes, 61 fails). */
    public static final long REPLAY_WINDOW_SECONDS = 60;
    public static final Duration NONCE_TTL = Duration.ofSeconds(120);
    public static final int NONCE_CACHE_MAX = 10_000;

    /** The outcome of one check. */
    public sealed interface Verification {
        /**
         * The request is signed by {@code pubkey} (lowercase hex); {@code nonce} is the
         * envelope's, as sent (a control plane shared by several processes records it too).
         */
        record Verified(String pubkey, String nonce) implements Verification {}

        /** The request is refused with {@code message}. */
        record Rejected(String message) implements Verification {}

        default boolean ok() {
            return this instanceof Verified;
        }
    }

    private final Clock clock;
    private final NonceCache nonces;

    public EnvelopeVerifier(Clock clock) {
        this(clock, NONCE_TTL, NONCE_CACHE_MAX);
    }

    EnvelopeVerifier(Clock clock, Duration nonceTtl, int nonceCacheMax) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nonces = new NonceCache(nonceTtl, nonceCacheMax);
    }

    /**
     * @param header       the header value, or null when absent
     * @param method       the request method
     * @param pathAndQuery the request path with its query string, as received
     * @param body         the exact body bytes received
     */
    public Verification verify(String header, String method, String pathAndQuery, byte[] body) {
        if (header == null || header.isEmpty()) {
            return reject("missing X-Infernet-Auth header");
        }
        JsonNode env;
        try {
            env = decode(header);
        } catch (IllegalArgumentException | IOException e) {
            return reject("invalid X-Infernet-Auth envelope: " + firstLine(e.getMessage()));
        }
        if (!env.isObject()) {
            return reject("invalid X-Infernet-Auth envelope: not a JSON object");
        }
        JsonNode v = env.get("v");
        if (v == null || !v.isNumber() || v.decimalValue().compareTo(BigDecimal.ONE) != 0) {
            return reject("unsupported envelope version: " + jsString(v));
        }
        String pubkey = Json.text(env, "pubkey");
        if (pubkey == null || pubkey.length() != 64 || !NodeKey.isHex(pubkey)) {
            return reject("envelope pubkey must be 64 hex chars");
        }
        JsonNode createdAt = env.get("created_at");
        if (createdAt == null || !createdAt.isNumber()) {
            return reject("envelope created_at must be a number");
        }
        String nonce = Json.text(env, "nonce");
        if (nonce == null || nonce.isEmpty()) {
            return reject("envelope nonce must be a non-empty string");
        }
        String sig = Json.text(env, "sig");
        if (sig == null || sig.length() != 128 || !NodeKey.isHex(sig)) {
            return reject("envelope sig must be a 128-char hex string");
        }
        Instant now = clock.instant();
        BigDecimal skew = BigDecimal.valueOf(now.getEpochSecond()).subtract(createdAt.decimalValue());
        if (skew.abs().compareTo(BigDecimal.valueOf(REPLAY_WINDOW_SECONDS)) > 0) {
            return reject("timestamp outside replay window (skew=" + skew.setScale(0, java.math.RoundingMode.HALF_UP).toPlainString() + "s)");
        }
        String createdAtText = createdAt.decimalValue().stripTrailingZeros().toPlainString();
        String canonical = Canonical.canonical(method, pathAndQuery, createdAtText, nonce, Canonical.bodyHash(body));
        HexFormat hex = HexFormat.of();
        if (!Bip340.verify(hex.parseHex(pubkey), Canonical.digest(canonical), hex.parseHex(sig))) {
            return reject("signature verification failed");
        }
        if (!nonces.tryRecord(nonce, now)) {
            return reject("nonce already used");
        }
        return new Verification.Verified(pubkey.toLowerCase(Locale.ROOT), nonce);
    }

    /** Base64url or standard base64, padded or not, then JSON. */
    private static JsonNode decode(String header) throws IOException {
        String s = header.trim().replace('+', '-').replace('/', '_');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        byte[] json = Base64.getUrlDecoder().decode(s.substring(0, end));
        return Json.parse(json);
    }

    /** How JavaScript's template literal renders the value (for the version message). */
    private static String jsString(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "undefined";
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isNumber()) {
            return v.decimalValue().stripTrailingZeros().toPlainString();
        }
        if (v.isObject()) {
            return "[object Object]";
        }
        return v.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "undecodable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static Verification reject(String message) {
        return new Verification.Rejected(message);
    }
}
