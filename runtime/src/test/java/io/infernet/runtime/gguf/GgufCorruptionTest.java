package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of broken file is refused with a GgufException naming the file and the problem. */
class GgufCorruptionTest {
    @TempDir
    Path dir;

    private byte[] small;
    private GgufFile smallInfo;

    @BeforeEach
    void writeSmallFile() throws IOException {
        Path file = dir.resolve("small.gguf");
        smallInfo = GgufFixtures.writeSmall(file);
        small = Files.readAllBytes(file);
    }

    // --- not a GGUF file at all ---------------------------------------------------------

    @Test
    void missingFileDirectoryAndEmptyFile() throws IOException {
        assertMessage(dir.resolve("nope.gguf"), "no such file");
        assertMessage(dir, "is a directory");
        Path empty = Files.createFile(dir.resolve("empty.gguf"));
        assertMessage(empty, "empty file (0 bytes)");
    }

    @Test
    void randomBytesAreNotGguf() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 100; i++) {
            byte[] junk = new byte[1 + rng.nextInt(5000)];
            rng.nextBytes(junk);
            reject(junk);
        }
        // random bytes behind a valid magic and version are caught later
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[8 + rng.nextInt(3000)];
            rng.nextBytes(junk);
            System.arraycopy(small, 0, junk, 0, 8);
            reject(junk);
        }
    }

    @Test
    void foreignAndLegacyMagic() throws IOException {
        assertTrue(reject(patch(small, 0, "GGML".getBytes(StandardCharsets.US_ASCII))).getMessage()
                .contains("not a GGUF file: it starts with 'GGML' (47 47 4d 4c), expected 'GGUF'"));
        assertTrue(reject(patch(small, 0, "tjgg".getBytes(StandardCharsets.US_ASCII))).getMessage().contains("legacy GGML/GGJT model"));
        assertTrue(reject(patch(small, 0, new byte[] {'P', 'K', 3, 4})).getMessage().contains("ZIP archive"));
        assertTrue(reject(new byte[] {'G', 'G'}).getMessage().contains("truncated: 2 bytes is too short"));
    }

    @Test
    void unsupportedVersions() throws IOException {
        assertTrue(reject(withInt(small, 4, 0)).getMessage().contains("GGUF version 0 is invalid"));
        assertTrue(reject(withInt(small, 4, 1)).getMessage().contains("GGUF version 1 is no longer supported"));
        assertTrue(reject(withInt(small, 4, 4)).getMessage().contains("GGUF version 4 is newer"));
        assertTrue(reject(withInt(small, 4, 0x0300_0000)).getMessage().contains("big-endian"));
        GgufFile v2 = GgufReader.read(write(withInt(small, 4, 2)));
        assertEquals(2, v2.version(), "version 2 has the same layout as 3");
    }

    // --- truncation ---------------------------------------------------------------------

    @Test
    void everyPrefixOfAFileIsRejected() throws IOException {
        // The fixture's last tensor ends on the alignment, so every shorter prefix is missing data.
        assertEquals(small.length, smallInfo.fileSize());
        int dataErrors = 0;
        for (int len = 0; len < small.length; len++) {
            GgufException e = reject(Arrays.copyOf(small, len));
            String m = e.getMessage();
            if (len > 0) {
                assertTrue(m.contains("truncated") || m.contains("claims"), "prefix " + len + ": " + m);
            }
            if (m.contains("tensor 'e.f16' needs bytes")) {
                dataErrors++;
            }
        }
        assertEquals(32, dataErrors, "each cut inside e.f16's 32 bytes names it");
        GgufReader.read(write(small)); // and the whole file is fine
    }

    @Test
    void truncatedDataNamesTheTensorAndTheRange() throws IOException {
        int len = small.length - 10;
        Path file = write(Arrays.copyOf(small, len));
        long start = smallInfo.dataOffset() + smallInfo.tensor("e.f16").orElseThrow().offset();
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
        assertEquals(file + ": truncated: tensor 'e.f16' needs bytes " + start + ".." + (start + 32) + " but the file has " + len, e.getMessage());
    }

    // --- absurd counts and lengths ------------------------------------------------------

    @Test
    void hugeCountsFailFastWithoutAllocating() throws IOException {
        String kv = reject(withLong(small, 16, 1L << 60)).getMessage();
        assertTrue(kv.contains("the header claims 1152921504606846976 metadata entries"), kv);
        String tensors = reject(withLong(small, 8, 1L << 60)).getMessage();
        assertTrue(tensors.contains("claims 1152921504606846976 tensors"), tensors);
        String all = reject(withLong(small, 8, -1L)).getMessage();
        assertTrue(all.contains("18446744073709551615 tensors"), all);
        int count = keyStart("t.arr.u32") + 9 + 4 + 4;
        String array = reject(withLong(small, count, 1L << 62)).getMessage();
        assertTrue(array.contains("metadata key 't.arr.u32' claims 4611686018427387904 elements of u32"), array);
        int strCount = keyStart("t.arr.str") + 9 + 4 + 4;
        assertTrue(reject(withLong(small, strCount, Long.MAX_VALUE)).getMessage().contains("elements of str"));
    }

    @Test
    void stringLengthsBeyondTheFile() throws IOException {
        int len = keyStart("t.str") + 5 + 4;
        String m = reject(withLong(small, len, 1L << 40)).getMessage();
        assertTrue(m.contains("truncated: metadata key 't.str' is a string of 1099511627776 bytes but only"), m);
        assertTrue(reject(withLong(small, len, -5)).getMessage().contains("18446744073709551611 bytes"));
        int keyLen = keyStart("t.str") - 8;
        assertTrue(reject(withLong(small, keyLen, 1L << 50)).getMessage().contains("the key of metadata entry"));
        int arrStr = keyStart("t.arr.str") + 9 + 4 + 4 + 8; // length of element 0
        String e = reject(withLong(small, arrStr, 1L << 33)).getMessage();
        assertTrue(e.contains("metadata key 't.arr.str' element 0 is a string of 8589934592 bytes"), e);
    }

    @Test
    void headerTooBigForTheMemoryLimit() throws IOException {
        Path file = write(small);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file, 1000));
        assertTrue(e.getMessage().contains("needs more than 1000 bytes of memory"), e.getMessage());
    }

    @Test
    void deeplyNestedArraysAreRefused() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + 8 + 1 + 4 + 100 * 12 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(1);
        b.putLong(1).put((byte) 'n').putInt(GgufType.ARRAY.id());
        for (int i = 0; i < 100; i++) {
            b.putInt(GgufType.ARRAY.id()).putLong(1);
        }
        b.putInt(GgufType.UINT8.id()).putLong(0);
        assertTrue(reject(b.array()).getMessage().contains("nests arrays deeper than"));
    }

    // --- bad values and types -----------------------------------------------------------

    @Test
    void unknownValueTypes() throws IOException {
        String m = reject(withInt(small, keyStart("t.str") + 5, 13)).getMessage();
        assertTrue(m.contains("metadata key 't.str' has unknown value type 13 (GGUF defines 0..12)"), m);
        String a = reject(withInt(small, keyStart("t.arr.u32") + 9 + 4, 99)).getMessage();
        assertTrue(a.contains("metadata key 't.arr.u32' is an array of unknown value type 99"), a);
    }

    @Test
    void duplicateKeysAndEmptyKeys() throws IOException {
        String m = reject(patch(small, keyStart("t.i8"), "t.u8".getBytes(StandardCharsets.US_ASCII))).getMessage();
        assertTrue(m.contains("metadata key 't.u8' appears twice"), m);
    }

    @Test
    void badAlignment() throws IOException {
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.ALIGNMENT, GgufValue.u32(64));
        byte[] aligned = Files.readAllBytes(GgufWriter.write(dir.resolve("a64.gguf"), m, GgufFixtures.tensors(), GgufWriter.WriteProgress.NONE).path());
        int value = find(aligned, GgufKeys.ALIGNMENT) + GgufKeys.ALIGNMENT.length() + 4;
        assertTrue(reject(withInt(aligned, value, 48)).getMessage().contains("'general.alignment' = 48 is not a power of two"));
        assertTrue(reject(withInt(aligned, value, 0)).getMessage().contains("is not a power of two"));
        String type = reject(withInt(aligned, value - 4, GgufType.INT32.id())).getMessage();
        assertTrue(type.contains("'general.alignment' must be u32 but is i32"), type);
    }

    @Test
    void unknownAndRemovedTensorTypes() throws IOException {
        int type = nDimsAt("b.q8_0") + 4 + 2 * 8;
        String unknown = reject(withInt(small, type, 99)).getMessage();
        assertTrue(unknown.contains("tensor 'b.q8_0' has ggml type 99, which the pinned ggml does not define"), unknown);
        String removed = reject(withInt(small, type, 31)).getMessage();
        assertTrue(removed.contains("ggml type 31 (Q4_0_4_4), which ggml has removed"), removed);
        assertTrue(reject(withInt(small, type, -1)).getMessage().contains("ggml type -1"));
    }

    @Test
    void badShapes() throws IOException {
        int nDims = nDimsAt("b.q8_0");
        int dim0 = nDims + 4;
        int dim1 = dim0 + 8;
        assertTrue(reject(withLong(small, dim1, 0)).getMessage().contains("tensor 'b.q8_0' dimension 1 is 0; each must be at least 1"));
        assertTrue(reject(withLong(small, dim0, -64)).getMessage().contains("dimension 0 is 18446744073709551552, too large"));
        byte[] huge = withLong(withLong(small, dim0, 1L << 40), dim1, 1L << 40);
        assertTrue(reject(huge).getMessage().contains("has more than 2^63 elements"));
        String rows = reject(withLong(small, dim0, 33)).getMessage();
        assertTrue(rows.contains("tensor 'b.q8_0' of type q8_0 has rows of 33 elements, not a multiple of its block size 32"), rows);
        assertTrue(reject(withInt(small, nDims, 5)).getMessage().contains("has 5 dimensions; ggml supports 1 to 4"));
        assertTrue(reject(withInt(small, nDims, 0)).getMessage().contains("has 0 dimensions"));
        // a shape that fits in memory terms but not in the file
        String big = reject(withLong(small, dim1, 1L << 20)).getMessage();
        assertTrue(big.contains("truncated: tensor 'b.q8_0' needs bytes"), big);
    }

    @Test
    void misalignedOutOfFileAndOverlappingData() throws IOException {
        int offB = nDimsAt("b.q8_0") + 4 + 2 * 8 + 4;
        long b = smallInfo.tensor("b.q8_0").orElseThrow().offset();
        String mis = reject(withLong(small, offB, b + 1)).getMessage();
        assertTrue(mis.contains("tensor 'b.q8_0' has data offset " + (b + 1) + ", not a multiple of the alignment 32"), mis);
        String over = reject(withLong(small, offB, 0)).getMessage();
        assertTrue(over.contains("tensors 'a.f32' (data bytes 0..24) and 'b.q8_0' (data bytes 0..204) overlap"), over);
        String past = reject(withLong(small, offB, 1L << 40)).getMessage();
        assertTrue(past.contains("truncated: tensor 'b.q8_0' needs bytes"), past);
        assertTrue(reject(withLong(small, offB, -32)).getMessage().contains("beyond any file"));
    }

    @Test
    void duplicateAndOverlongTensorNames() throws IOException {
        String dup = reject(patch(small, find(small, "e.f16"), "a.f32".getBytes(StandardCharsets.US_ASCII))).getMessage();
        assertTrue(dup.contains("tensor name 'a.f32' appears twice (tensor infos 0 and 4)"), dup);
    }

    // --- fuzzing ------------------------------------------------------------------------

    @Test
    void flippedHeaderBytesNeverEscapeAsAnotherException() throws IOException {
        int accepted = 0;
        for (int pos = 0; pos < smallInfo.dataOffset(); pos++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] b = small.clone();
                b[pos] ^= (byte) mask;
                Path file = write(b);
                try {
                    GgufReader.read(file);
                    accepted++; // e.g. a changed metadata value or padding byte
                } catch (GgufException e) {
                    assertFalse(e.getMessage().contains("unexpected"), e.getMessage());
                    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
                }
            }
        }
        assertTrue(accepted > 0 && accepted < 3 * smallInfo.dataOffset());
    }

    // --- helpers ------------------------------------------------------------------------

    private int fileNo;

    private Path write(byte[] bytes) throws IOException {
        Path file = dir.resolve("variant-" + fileNo++ + ".gguf");
        Files.write(file, bytes);
        return file;
    }

    /** Asserts that reading {@code bytes} fails cleanly, and returns the failure. */
    private GgufException reject(byte[] bytes) throws IOException {
        Path file = write(bytes);
        try {
            GgufFile f = GgufReader.read(file);
            fail("accepted a broken file: " + f);
            return null;
        } catch (GgufException e) {
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("unexpected"), e.getMessage());
            return e;
        }
    }

    private static void assertMessage(Path file, String expected) {
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(expected), e.getMessage());
    }

    private static int find(byte[] hay, String needle) {
        return TestBytes.indexOf(hay, needle, 0);
    }

    /** Offset of the first byte of a key (its type follows its bytes). */
    private int keyStart(String key) {
        return find(small, key);
    }

    /** Offset of a tensor info's n_dims field; the dims (8 bytes each), type and offset follow. */
    private int nDimsAt(String name) {
        return find(small, name) + name.length();
    }

    private static byte[] patch(byte[] b, int at, byte[] with) {
        byte[] out = b.clone();
        System.arraycopy(with, 0, out, at, with.length);
        return out;
    }

    private static byte[] withInt(byte[] b, int at, int v) {
        return patch(b, at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private static byte[] withLong(byte[] b, int at, long v) {
        return patch(b, at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }
}
