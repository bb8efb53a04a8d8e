package io.infernet.node.protocol.envelope;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The string a request signature covers:
 * {@code METHOD + "\n" + path + "\n" + created_at + "\n" + nonce + "\n" + hex(sha256(body))},
 * and its SHA-256 digest, which is the BIP-340 message.
 */
public final class Canonical {

    private Canonical() {}

    /** Lowercase hex SHA-256 of the exact body bytes sent; an empty body gives {@code e3b0c442...b855}. */
    public static String bodyHash(byte[] body) {
        return HexFormat.of().formatHex(sha256(body));
    }

    /**
     * @param method    HTTP method, any case (upper-cased here)
     * @param path      path with query string, no scheme or host
     * @param createdAt Unix seconds as the envelope carries them
     */
    public static String canonical(String method, String path, String createdAt, String nonce, String bodyHash) {
        return method.toUpperCase(Locale.ROOT) + "\n" + path + "\n" + createdAt + "\n" + nonce + "\n" + bodyHash;
    }

    /** SHA-256 of the UTF-8 bytes of the canonical string: the 32-byte message that is signed. */
    public static byte[] digest(String canonical) {
        return sha256(canonical.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
