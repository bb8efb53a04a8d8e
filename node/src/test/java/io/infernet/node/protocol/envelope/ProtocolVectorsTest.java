package io.infernet.node.protocol.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.infernet.node.protocol.identity.NodeKey;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md's vectors, made with the existing network's signing code (aux = 32 zero bytes). */
class ProtocolVectorsTest {

    static final String SK = "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef";
    static final String PK = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659";
    static final long CREATED_AT = 1745000000L;
    static final String NONCE = "000102030405060708090a0b0c0d0e0f";

    private final NodeKey key = NodeKey.fromHex(SK, "test key");
    private final Clock at = Clock.fixed(Instant.ofEpochSecond(CREATED_AT), ZoneOffset.UTC);
    private final EnvelopeSigner signer = new EnvelopeSigner(key, at, new SecureRandom());

    @Test
    void publicKey() {
        assertEquals(PK, key.publicKeyHex());
    }

    @Test
    void heartbeatExample() {
        byte[] body = "{\"role\":\"provider\"}".getBytes(StandardCharsets.UTF_8);
        String bodyHash = Canonical.bodyHash(body);
        assertEquals("91c8e06c24897c6c199bd566244dfb62791b110690ae55d80be5549f35501236", bodyHash);
        String canonical = Canonical.canonical("POST", "/api/v1/node/heartbeat", "1745000000", NONCE, bodyHash);
        assertEquals("POST\n/api/v1/node/heartbeat\n1745000000\n" + NONCE + "\n" + bodyHash, canonical);
        assertEquals("ea86eddd0c5028f8cd0a55e735f931ec54c0763611ed5dafd2f43ed8bf541356",
                HexFormat.of().formatHex(Canonical.digest(canonical)));
        AuthEnvelope env = signer.sign("POST", "/api/v1/node/heartbeat", body, CREATED_AT, NONCE, new byte[32]);
        assertEquals("a0ce41c7fa517c1332cb9c844935f5d6ae1888725f226d8d5c8a63c7187f8727"
                + "b13a79c2813dd4686560611bc32410883cc38461bc65be94a85f517ddbf2baaf", env.sig());
        assertEquals("{\"v\":1,\"pubkey\":\"" + PK + "\",\"created_at\":1745000000,\"nonce\":\"" + NONCE
                + "\",\"sig\":\"" + env.sig() + "\"}", env.json());
        String header = env.headerValue();
        assertEquals(env.json(), new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8));
        assertEquals(-1, header.indexOf('='), "no padding");
        assertInstanceOf(EnvelopeVerifier.Verification.Verified.class,
                new EnvelopeVerifier(at).verify(header, "POST", "/api/v1/node/heartbeat", body));
    }

    @Test
    void emptyBodyWithQueryAndLowercaseMethod() {
        byte[] body = new byte[0];
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Canonical.bodyHash(body));
        String canonical = Canonical.canonical("post", "/api/v1/node/me?x=1", "1745000000", NONCE, Canonical.bodyHash(body));
        assertEquals("ea716f5c4ffe8dd485ccf626e3e78e306513296d0325815c6f6694fd937f8349",
                HexFormat.of().formatHex(Canonical.digest(canonical)));
        AuthEnvelope env = signer.sign("post", "/api/v1/node/me?x=1", body, CREATED_AT, NONCE, new byte[32]);
        assertEquals("733e7ccd17953af52e431114a6dbec4d242b7eb6aa5ca9516127239a88a88255"
                + "7ebc66a64c2ee961d7b6ffe56fae2587fe7fef2f7bbd19ff920d0b8897b92b29", env.sig());
        assertInstanceOf(EnvelopeVerifier.Verification.Verified.class,
                new EnvelopeVerifier(at).verify(env.headerValue(), "POST", "/api/v1/node/me?x=1", body));
    }
}
