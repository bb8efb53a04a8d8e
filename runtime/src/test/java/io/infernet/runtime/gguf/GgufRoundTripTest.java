package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyMetadataTypeAndTensorSurvivesAWriteAndARead() throws Exception {
        Path file = dir.resolve("all.gguf");
        GgufFile written = GgufWriter.write(file, GgufFixtures.allTypes(), GgufFixtures.tensors(), GgufWriter.WriteProgress.NONE);
        GgufFile read = GgufReader.read(file);

        assertEquals(written, read);
        assertEquals(3, read.version());
        assertEquals(Files.size(file), read.fileSize());
        assertEquals(32, read.alignment());
        assertEquals(List.copyOf(GgufFixtures.allTypes().sequencedKeySet()), List.copyOf(read.metadata().sequencedKeySet()), "file order is kept");
        GgufFixtures.allTypes().forEach((k, v) -> assertEquals(v, read.metadata().get(k), k));

        assertEquals("18446744073709551615", read.metadata().get("t.u64").display());
        assertEquals(-128, read.getLong("t.i8"));
        assertEquals(65535, read.getInt("t.u16"));
        assertEquals(-1.5e-7f, read.getFloat("t.f32"));
        assertEquals("grüß 🦙 \n\"quoted\"", read.getString("t.str"));
        assertTrue(read.getBool("t.bool.true"));
        GgufValue.NumArray f32 = (GgufValue.NumArray) read.getArray("t.arr.f32");
        assertTrue(Double.isNaN(f32.getDouble(3)));
        assertEquals(Float.MAX_VALUE, (float) f32.getDouble(2));
        assertEquals(0xFFFF_FFFFL, ((GgufValue.NumArray) read.getArray("t.arr.u32")).getLong(1));
        assertEquals(Long.MIN_VALUE, ((GgufValue.NumArray) read.getArray("t.arr.i64")).getLong(0));
        assertEquals(List.of("a", "", "ü"), ((GgufValue.StrArray) read.getArray("t.arr.str")).values());
        assertEquals(0, read.getArray("t.arr.empty").size());
        GgufValue.NestedArray nested = (GgufValue.NestedArray) read.getArray("t.arr.nested");
        assertEquals(3, nested.size());
        assertEquals(GgufType.STRING, nested.values().get(1).elementType());
        assertEquals(1, read.llamaCppIssues().size(), "nested arrays are legal GGUF but not for llama.cpp");

        assertEquals(5, read.tensors().size());
        long expectedOffset = 0;
        for (GgufTensor t : read.tensors()) {
            assertEquals(expectedOffset, t.offset(), t.name());
            assertEquals(0, (read.dataOffset() + t.offset()) % 32, t.name() + " is aligned in the file");
            expectedOffset += GgufWriter.pad(t.byteSize(), 32);
        }
        assertEquals(read.fileSize(), read.dataOffset() + expectedOffset);
    }

    @Test
    void tensorDataIsWhereTheInfoSays() {
        Path file = dir.resolve("small.gguf");
        GgufFile f = GgufFixtures.writeSmall(file);
        assertTrue(f.llamaCppIssues().isEmpty(), f.llamaCppIssues().toString());
        try (Arena arena = Arena.ofConfined()) {
            for (int t = 0; t < f.tensors().size(); t++) {
                GgufTensor info = f.tensors().get(t);
                MemorySegment data = f.mapTensor(info, arena);
                byte[] expected = new byte[(int) info.byteSize()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = (byte) (t * 31 + i);
                }
                assertArrayEquals(expected, data.toArray(ValueLayout.JAVA_BYTE), info.name());
            }
        }
    }

    @Test
    void alignmentFromMetadataIsUsed() {
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.ALIGNMENT, GgufValue.u32(256));
        Path file = dir.resolve("aligned.gguf");
        GgufWriter.write(file, m, GgufFixtures.tensors(), GgufWriter.WriteProgress.NONE);
        GgufFile f = GgufReader.read(file);
        assertEquals(256, f.alignment());
        assertEquals(0, f.dataOffset() % 256);
        for (GgufTensor t : f.tensors()) {
            assertEquals(0, t.offset() % 256, t.name());
        }
    }

    @Test
    void metadataOnlyFileHasItsDataSectionRightAfterTheHeader() {
        Path file = dir.resolve("meta.gguf");
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put("k", GgufValue.string("v")); // 24 header + 8 + 1 + 4 + 8 + 1 = 46 bytes, unpadded
        GgufFile f = GgufWriter.write(file, m, List.of(), GgufWriter.WriteProgress.NONE);
        assertEquals(46, f.fileSize());
        assertEquals(f, GgufReader.read(file));
    }

    @Test
    void typedAccessorsNameTheFileAndTheKey() {
        Path file = dir.resolve("small.gguf");
        GgufFixtures.writeSmall(file);
        GgufFile f = GgufReader.read(file);
        GgufException missing = assertThrows(GgufException.class, () -> f.getString("nope"));
        assertEquals(file + ": metadata key 'nope' is missing", missing.getMessage());
        GgufException wrong = assertThrows(GgufException.class, () -> f.getString("t.u32"));
        assertEquals(file + ": metadata key 't.u32' is u32, expected a string", wrong.getMessage());
        assertThrows(GgufException.class, () -> f.getLong("t.u64"), "2^64-1 does not fit a long");
        assertThrows(GgufException.class, () -> f.getInt("t.u32"), "2^32-1 does not fit an int");
        assertFalse(f.chatTemplate().isPresent());
    }

    @Test
    void writerRejectsBadInputBeforeCreatingAFile() {
        Path file = dir.resolve("bad.gguf");
        SequencedMap<String, GgufValue> badAlign = new LinkedHashMap<>();
        badAlign.put(GgufKeys.ALIGNMENT, GgufValue.u32(48));
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(file, badAlign, List.of(), GgufWriter.WriteProgress.NONE));
        var t = GgufFixtures.tensor("x", List.of(32L), GgmlType.F32, 0);
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(file, new LinkedHashMap<>(), List.of(t, t), GgufWriter.WriteProgress.NONE));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter.Tensor("q", List.of(33L), GgmlType.Q8_0, s -> {}));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.u8(256));
        assertThrows(IllegalArgumentException.class, () -> new GgufValue.Real(GgufType.FLOAT32, 0.1));
        assertFalse(Files.exists(file));
    }

    @Test
    void aTensorSourceWritingTheWrongSizeFailsAndLeavesNoFile() throws Exception {
        Path file = dir.resolve("short.gguf");
        var shortData = new GgufWriter.Tensor("x", List.of(32L), GgmlType.F32, sink -> sink.write(java.nio.ByteBuffer.allocate(64)));
        assertThrows(IllegalStateException.class, () -> GgufWriter.write(file, new LinkedHashMap<>(), List.of(shortData), GgufWriter.WriteProgress.NONE));
        var longData = new GgufWriter.Tensor("x", List.of(32L), GgmlType.F32, sink -> sink.write(java.nio.ByteBuffer.allocate(256)));
        assertThrows(IllegalStateException.class, () -> GgufWriter.write(file, new LinkedHashMap<>(), List.of(longData), GgufWriter.WriteProgress.NONE));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "no file and no temporary file is left");
        }
    }

    @Test
    void progressReachesTheTotal() {
        long[] last = {-1, -1};
        GgufFile f = GgufWriter.write(dir.resolve("p.gguf"), GgufFixtures.allTypes(), GgufFixtures.tensors(), (bytes, total) -> {
            assertTrue(bytes > last[0]);
            last[0] = bytes;
            last[1] = total;
        });
        assertEquals(f.fileSize(), last[0]);
        assertEquals(f.fileSize(), last[1]);
    }
}
