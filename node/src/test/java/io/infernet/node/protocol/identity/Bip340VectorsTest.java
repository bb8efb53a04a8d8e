package io.infernet.node.protocol.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The official BIP-340 vectors (bitcoin/bips, bip-0340/test-vectors.csv, all 19 rows). */
class Bip340VectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    record Row(int index, String secretKey, String publicKey, String aux, String message, String signature,
               boolean valid, String comment) {
        @Override
        public String toString() {
            return index + (comment.isEmpty() ? "" : " (" + comment + ")");
        }
    }

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (var in = Bip340VectorsTest.class.getResourceAsStream("bip340-test-vectors.csv");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            reader.readLine(); // header
            for (String line; (line = reader.readLine()) != null; ) {
                String[] f = line.split(",", 8);
                rows.add(new Row(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], f[5], f[6].equals("TRUE"), f[7]));
            }
        }
        return rows;
    }

    static Stream<Row> vectors() throws IOException {
        return rows().stream();
    }

    @Test
    void allNineteenRowsArePresent() throws IOException {
        List<Row> rows = rows();
        assertEquals(19, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).index());
        }
    }

    @ParameterizedTest(name = "vector {0}")
    @MethodSource("vectors")
    void vector(Row row) {
        byte[] pk = HEX.parseHex(row.publicKey());
        byte[] msg = HEX.parseHex(row.message());
        byte[] sig = HEX.parseHex(row.signature());
        if (!row.secretKey().isEmpty()) {
            byte[] sk = HEX.parseHex(row.secretKey());
            assertArrayEquals(pk, Bip340.publicKey(sk), "public key");
            assertArrayEquals(sig, Bip340.sign(sk, msg, HEX.parseHex(row.aux())), "signature");
        }
        assertEquals(row.valid(), Bip340.verify(pk, msg, sig), "verification result");
    }

    @Test
    void signaturesMadeHereVerifyAndTamperingBreaksThem() {
        NodeKey key = NodeKey.generate(new java.security.SecureRandom());
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] sig = key.sign(msg, new byte[32]);
        byte[] pk = HEX.parseHex(key.publicKeyHex());
        assertTrue(Bip340.verify(pk, msg, sig));
        sig[10] ^= 1;
        assertFalse(Bip340.verify(pk, msg, sig));
        assertFalse(Bip340.verify(pk, msg, new byte[63]), "wrong length never throws");
    }

    @Test
    void outOfRangePrivateKeysAreRefusedWithoutEchoingThem() {
        String n = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141";
        var e = assertThrows(IllegalArgumentException.class, () -> NodeKey.fromHex(n, "--nostr-privkey"));
        assertFalse(e.getMessage().toLowerCase().contains(n.toLowerCase()));
        assertThrows(IllegalArgumentException.class, () -> Bip340.publicKey(new byte[32]));
        var bad = assertThrows(IllegalArgumentException.class, () -> NodeKey.fromHex("zz" + "0".repeat(62), "node.privateKey"));
        assertTrue(bad.getMessage().startsWith("node.privateKey must be a 64-character hex"));
    }

    @Test
    void toStringRedactsThePrivateKey() {
        String sk = "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef";
        NodeKey key = NodeKey.fromHex(sk, "test");
        assertFalse(key.toString().contains(sk));
        assertTrue(key.toString().contains("<redacted>"));
        assertEquals("dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659", key.publicKeyHex());
        assertEquals(sk, NodeKey.fromHex(sk.toUpperCase(), "test").privateKeyHex());
    }
}
