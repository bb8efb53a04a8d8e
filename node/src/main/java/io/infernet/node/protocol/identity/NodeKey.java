package io.infernet.node.protocol.identity;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A node's secp256k1 identity: the private key and its x-only public key. The private key
 * leaves this object only through {@link #privateKeyHex()}, which exists for writing the
 * config file; {@link #toString()} redacts it. Immutable and thread-safe.
 */
public final class NodeKey {

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] secret;
    private final String publicKeyHex;

    private NodeKey(byte[] secret) {
        this.secret = secret;
        this.publicKeyHex = HEX.formatHex(Bip340.publicKey(secret));
    }

    /** A fresh random key. */
    public static NodeKey generate(SecureRandom random) {
        byte[] candidate = new byte[Bip340.KEY_BYTES];
        while (true) {
            random.nextBytes(candidate);
            try {
                return new NodeKey(candidate.clone());
            } catch (IllegalArgumentException outOfRange) {
                // probability ~2^-128; draw again
            }
        }
    }

    /**
     * Parses a 64-character hex private key (either case).
     *
     * @param what names the input in the error message (e.g. "node.privateKey in /path"); the
     *     value itself never appears in a message
     */
    public static NodeKey fromHex(String hex, String what) {
        if (hex == null || hex.length() != 64 || !isHex(hex)) {
            throw new IllegalArgumentException(what + " must be a 64-character hex secp256k1 private key");
        }
        try {
            return new NodeKey(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    /** The x-only public key, 64 lowercase hex characters. */
    public String publicKeyHex() {
        return publicKeyHex;
    }

    /** The private key as 64 lowercase hex characters: only for writing the config file. */
    public String privateKeyHex() {
        return HEX.formatHex(secret);
    }

    /** A BIP-340 signature (64 bytes) of {@code message} with the given 32 aux bytes. */
    public byte[] sign(byte[] message, byte[] aux) {
        return Bip340.sign(secret, message, aux);
    }

    /** True when {@code other} is the same key. */
    public boolean sameKey(NodeKey other) {
        return other != null && Arrays.equals(secret, other.secret);
    }

    /** True when every character of {@code s} is an ASCII hex digit (either case). */
    public static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "NodeKey[publicKey=" + publicKeyHex + ", privateKey=<redacted>]";
    }
}
