package io.infernet.node.protocol.envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The content of an {@code X-Infernet-Auth} header as this node sends it.
 *
 * @param pubkey    x-only public key, 64 lowercase hex
 * @param createdAt Unix seconds
 * @param nonce     16 random bytes as 32 lowercase hex
 * @param sig       BIP-340 signature of the canonical digest, 128 lowercase hex
 */
public record AuthEnvelope(String pubkey, long createdAt, String nonce, String sig) {

    public static final String HEADER = "X-Infernet-Auth";
    public static final int VERSION = 1;

    /** Compact JSON in the wire's key order: v, pubkey, created_at, nonce, sig. */
    public String json() {
        ObjectNode o = Json.object();
        o.put("v", VERSION);
        o.put("pubkey", pubkey);
        o.put("created_at", createdAt);
        o.put("nonce", nonce);
        o.put("sig", sig);
        return Json.compact(o);
    }

    /** The header value: base64url of {@link #json()} without padding. */
    public String headerValue() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json().getBytes(StandardCharsets.UTF_8));
    }
}
