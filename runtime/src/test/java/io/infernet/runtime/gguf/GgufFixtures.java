package io.infernet.runtime.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/** Small GGUF files with every kind of metadata and a few tensors, for reader and writer tests. */
final class GgufFixtures {
    private GgufFixtures() {}

    /** One value of every scalar type (extremes included), and arrays of every kind. */
    static SequencedMap<String, GgufValue> allTypes() {
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("t.u8", GgufValue.u8(255));
        m.put("t.i8", GgufValue.i8(-128));
        m.put("t.u16", GgufValue.u16(65535));
        m.put("t.i16", GgufValue.i16(-32768));
        m.put("t.u32", GgufValue.u32(0xFFFF_FFFFL));
        m.put("t.i32", GgufValue.i32(Integer.MIN_VALUE));
        m.put("t.u64", GgufValue.u64(-1L)); // 2^64 - 1
        m.put("t.i64", GgufValue.i64(Long.MIN_VALUE));
        m.put("t.f32", GgufValue.f32(-1.5e-7f));
        m.put("t.f64", GgufValue.f64(Math.PI));
        m.put("t.bool.true", GgufValue.bool(true));
        m.put("t.bool.false", GgufValue.bool(false));
        m.put("t.str", GgufValue.string("grüß 🦙 \n\"quoted\""));
        m.put("t.str.empty", GgufValue.string(""));
        m.put("t.arr.u8", GgufValue.NumArray.ofLongs(GgufType.UINT8, 0, 1, 255));
        m.put("t.arr.i8", GgufValue.NumArray.ofLongs(GgufType.INT8, -128, 127));
        m.put("t.arr.u16", GgufValue.NumArray.ofLongs(GgufType.UINT16, 0, 65535));
        m.put("t.arr.i16", GgufValue.NumArray.ofLongs(GgufType.INT16, -32768, 32767));
        m.put("t.arr.u32", GgufValue.NumArray.ofLongs(GgufType.UINT32, 0, 0xFFFF_FFFFL));
        m.put("t.arr.i32", GgufValue.NumArray.ofInts(-1, 0, 1, Integer.MAX_VALUE));
        m.put("t.arr.u64", GgufValue.NumArray.ofLongs(GgufType.UINT64, -1L, 0));
        m.put("t.arr.i64", GgufValue.NumArray.ofLongs(GgufType.INT64, Long.MIN_VALUE, Long.MAX_VALUE));
        m.put("t.arr.f32", GgufValue.NumArray.ofFloats(1.0f, -0.0f, Float.MAX_VALUE, Float.NaN));
        m.put("t.arr.f64", GgufValue.NumArray.ofDoubles(Double.MIN_VALUE, 1e300));
        m.put("t.arr.bool", GgufValue.NumArray.ofBools(true, false, true));
        m.put("t.arr.str", GgufValue.strings(List.of("a", "", "ü")));
        m.put("t.arr.empty", GgufValue.NumArray.ofInts());
        m.put("t.arr.nested", new GgufValue.NestedArray(List.of(
                GgufValue.NumArray.ofInts(1, 2),
                GgufValue.strings(List.of("x")),
                new GgufValue.NestedArray(List.of(GgufValue.NumArray.ofFloats(3f))))));
        return m;
    }

    /** Tensors of several types whose data is a simple counting pattern (byte i of tensor t is t * 31 + i). */
    static List<GgufWriter.Tensor> tensors() {
        return List.of(
                tensor("a.f32", List.of(3L, 2L), GgmlType.F32, 0),
                tensor("b.q8_0", List.of(64L, 3L), GgmlType.Q8_0, 1),
                tensor("c.q4_0", List.of(32L), GgmlType.Q4_0, 2),
                tensor("d.q4_k", List.of(256L, 1L, 1L, 2L), GgmlType.Q4_K, 3),
                tensor("e.f16", List.of(16L), GgmlType.F16, 4)); // 32 bytes: the file ends without padding
    }

    static GgufWriter.Tensor tensor(String name, List<Long> dims, GgmlType type, int t) {
        long elements = dims.stream().reduce(1L, (a, b) -> a * b);
        long bytes = type.bytes(elements);
        return new GgufWriter.Tensor(name, dims, type, sink -> {
            ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bytes; i++) {
                buf.put((byte) (t * 31 + i));
            }
            sink.write(buf.flip());
        });
    }

    /** Writes {@link #allTypes()} without the nested array (llama.cpp rejects those) and {@link #tensors()}. */
    static GgufFile writeSmall(Path file) {
        SequencedMap<String, GgufValue> m = allTypes();
        m.remove("t.arr.nested");
        return GgufWriter.write(file, m, tensors(), GgufWriter.WriteProgress.NONE);
    }
}
