package io.infernet.controlplane.users;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CLI bearer tokens as the reference issues them: HS256 JWTs
 * {@code {sub: user id, email, iat, exp, scope: "cli"}}, 30 days by default. Verification
 * checks the signature in constant time and the expiry; anything else is "no token". The
 * secret never leaves this object. Thread-safe.
 */
public final class Bearer {

    public static final Duration DEFAULT_TTL = Duration.ofDays(30);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A verified token's claims. */
    public record Claims(String userId, String email, long issuedAt, long expiresAt) {}

    private final byte[] secret;
    private final Clock clock;

    public Bearer(byte[] secret, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the bearer secret must have at least 16 bytes");
        }
        this.secret = secret.clone();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String issue(String userId, String email, Duration ttl) {
        long now = clock.instant().getEpochSecond();
        String header = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        var claims = Json.object().put("sub", userId);
        if (email == null) {
            claims.putNull("email");
        } else {
            claims.put("email", email);
        }
        claims.put("iat", now).put("exp", now + ttl.toSeconds()).put("scope", "cli");
        String payload = B64.encodeToString(Json.compactBytes(claims));
        return header + "." + payload + "." + B64.encodeToString(hmac(header + "." + payload));
    }

    /** The claims of a valid, unexpired token; empty for anything else. */
    public Optional<Claims> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        byte[] expected = B64.encodeToString(hmac(parts[0] + "." + parts[1])).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        JsonNode c;
        try {
            c = Json.parse(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!c.path("sub").isTextual()) {
            return Optional.empty();
        }
        long exp = c.path("exp").isNumber() ? c.get("exp").asLong() : Long.MAX_VALUE;
        if (clock.instant().getEpochSecond() > exp) {
            return Optional.empty();
        }
        return Optional.of(new Claims(c.get("sub").asText(), c.path("email").isTextual() ? c.get("email").asText() : null,
                c.path("iat").asLong(0), exp));
    }

    /** The claims of an {@code Authorization: Bearer <token>} header value; empty otherwise. */
    public Optional<Claims> verifyHeader(String authorization) {
        if (authorization == null) {
            return Optional.empty();
        }
        var m = java.util.regex.Pattern.compile("^Bearer\\s+(\\S+)$").matcher(authorization);
        return m.matches() ? verify(m.group(1)) : Optional.empty();
    }

    private byte[] hmac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
