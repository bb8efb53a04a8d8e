package io.infernet.node.protocol.identity;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.BIP340Signer;
import org.bouncycastle.math.ec.ECPoint;

/**
 * BIP-340 Schnorr signatures over secp256k1 (x-only 32-byte public keys, 64-byte signatures,
 * messages of any length), on Bouncy Castle's {@link BIP340Signer}. Checked against all rows
 * of the official test vectors. Stateless; every method is thread-safe.
 */
public final class Bip340 {

    public static final int KEY_BYTES = 32;
    public static final int AUX_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;

    private static final ECDomainParameters DOMAIN = BIP340Signer.getDomain();

    private Bip340() {}

    /**
     * The x-only public key of {@code secretKey}.
     *
     * @throws IllegalArgumentException when the key is not 32 bytes or not in [1, n-1]; the
     *     message never contains key material
     */
    public static byte[] publicKey(byte[] secretKey) {
        BigInteger d = scalar(secretKey);
        ECPoint p = DOMAIN.getG().multiply(d).normalize();
        return p.getAffineXCoord().getEncoded();
    }

    /**
     * Signs {@code message} (any length; the protocol signs a 32-byte digest) with the
     * auxiliary randomness {@code aux} (32 bytes; fresh random bytes normally, fixed bytes only
     * for reproducible test vectors).
     */
    public static byte[] sign(byte[] secretKey, byte[] message, byte[] aux) {
        if (aux == null || aux.length != AUX_BYTES) {
            throw new IllegalArgumentException("BIP-340 aux randomness must be 32 bytes");
        }
        ECPrivateKeyParameters priv = new ECPrivateKeyParameters(scalar(secretKey), DOMAIN);
        BIP340Signer signer = new BIP340Signer();
        signer.init(true, new ParametersWithRandom(priv, new FixedAux(aux)));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /** True when {@code signature} is a valid BIP-340 signature of {@code message} by {@code publicKey}; never throws. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY_BYTES || signature == null
                || signature.length != SIGNATURE_BYTES || message == null) {
            return false;
        }
        ECPublicKeyParameters pub = BIP340Signer.decodePublicKey(publicKey);
        if (pub == null) {
            return false; // not an x coordinate on the curve, or >= p
        }
        try {
            BIP340Signer verifier = new BIP340Signer();
            verifier.init(false, pub);
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static BigInteger scalar(byte[] secretKey) {
        if (secretKey == null || secretKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("a secp256k1 private key must be 32 bytes");
        }
        BigInteger d = new BigInteger(1, secretKey);
        if (d.signum() == 0 || d.compareTo(DOMAIN.getN()) >= 0) {
            throw new IllegalArgumentException("the private key is out of range for secp256k1 (must be in [1, n-1])");
        }
        return d;
    }

    /**
     * Hands the signer the caller's aux bytes: BIP340Signer draws its 32 aux bytes with one
     * {@code nextBytes} call, which this answers with a copy of the fixed bytes.
     */
    private static final class FixedAux extends SecureRandom {
        private final byte[] aux;

        FixedAux(byte[] aux) {
            this.aux = aux.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != aux.length) {
                throw new IllegalStateException("BIP340Signer asked for " + bytes.length + " aux bytes, expected 32");
            }
            System.arraycopy(aux, 0, bytes, 0, bytes.length);
        }
    }
}
