package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the pure-Java tables and algorithms against the pinned ggml itself, called directly
 * through FFM (these few functions only; the project's bindings live elsewhere): type sizes,
 * F16 conversion, the reference quantizers, and gguf.cpp's own parser on the same bytes.
 */
@SuppressWarnings("restricted")
@Tag("native")
class PinnedGgmlTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static MethodHandle blckSize;
    private static MethodHandle typeSize;
    private static MethodHandle typeName;
    private static MethodHandle fp32ToFp16;
    private static MethodHandle quantizeQ8_0;
    private static MethodHandle quantizeQ4_0;
    private static MethodHandle ggufInitFromBuffer;
    private static MethodHandle ggufFree;
    private static MethodHandle ggufNTensors;
    private static MethodHandle ggufNKv;
    private static MethodHandle ggufDataOffset;
    private static final StructLayout GGUF_INIT_PARAMS = MemoryLayout.structLayout(
            ValueLayout.JAVA_BOOLEAN.withName("no_alloc"), MemoryLayout.paddingLayout(7), ValueLayout.ADDRESS.withName("ctx"));

    @TempDir
    Path dir;

    @BeforeAll
    static void link() throws Throwable {
        Path lib = NativeBundle.cpuLibraries(Progress.NONE).ggmlBase();
        SymbolLookup ggml = SymbolLookup.libraryLookup(lib, Arena.global());
        blckSize = handle(ggml, "ggml_blck_size", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        typeSize = handle(ggml, "ggml_type_size", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        typeName = handle(ggml, "ggml_type_name", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        fp32ToFp16 = handle(ggml, "ggml_fp32_to_fp16", FunctionDescriptor.of(ValueLayout.JAVA_SHORT, ValueLayout.JAVA_FLOAT));
        FunctionDescriptor quant = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG);
        quantizeQ8_0 = handle(ggml, "quantize_row_q8_0_ref", quant);
        quantizeQ4_0 = handle(ggml, "quantize_row_q4_0_ref", quant);
        ggufInitFromBuffer = handle(ggml, "gguf_init_from_buffer",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, GGUF_INIT_PARAMS));
        ggufFree = handle(ggml, "gguf_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        ggufNTensors = handle(ggml, "gguf_get_n_tensors", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        ggufNKv = handle(ggml, "gguf_get_n_kv", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        ggufDataOffset = handle(ggml, "gguf_get_data_offset", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

        // gguf.cpp logs every rejected file; keep thousands of expected errors out of the test output
        MethodHandle quiet = MethodHandles.lookup().findStatic(PinnedGgmlTest.class, "quietLog",
                MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
        MemorySegment stub = LINKER.upcallStub(quiet,
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), Arena.global());
        handle(ggml, "ggml_log_set", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS)).invokeExact(stub, MemorySegment.NULL);
    }

    private static void quietLog(int level, MemorySegment text, MemorySegment user) {
        // intentionally empty: never throws, so it is safe as an upcall
    }

    private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(lookup.find(name).orElseThrow(() -> new AssertionError(name + " is not in libggml-base")), fd);
    }

    @Test
    void typeTableMatchesGgml() throws Throwable {
        for (int id = 0; id < GgmlType.ID_LIMIT; id++) {
            long blck = (long) blckSize.invokeExact(id);
            long size = (long) typeSize.invokeExact(id);
            var known = GgmlType.fromId(id);
            if (known.isPresent()) {
                GgmlType t = known.get();
                assertEquals(blck, t.blockSize(), t + " block size");
                assertEquals(size, t.blockBytes(), t + " block bytes");
                MemorySegment name = (MemorySegment) typeName.invokeExact(id);
                assertEquals(name.reinterpret(64).getString(0), t.ggmlName(), t + " name");
            } else {
                assertEquals(0, blck, "id " + id + " is unknown to this table, so ggml must have removed it");
                assertTrue(GgmlType.removedTypeName(id).isPresent(), "id " + id);
            }
        }
    }

    @Test
    void halfConversionMatchesGgml() throws Throwable {
        SplittableRandom rng = new SplittableRandom(1);
        float[] special = {0f, -0f, 1f, 65504f, 65520f, 1e9f, -1e9f, 6.1035156e-5f, 5.9604645e-8f, 2.9802322e-8f, 1e-10f,
                Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float f : special) {
            assertEquals((short) fp32ToFp16.invokeExact(f), Float.floatToFloat16(f), "" + f);
        }
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rng.nextInt());
            if (Float.isNaN(f)) {
                continue; // ggml returns one quiet NaN, Java keeps payload bits; no scale is NaN
            }
            assertEquals((short) fp32ToFp16.invokeExact(f), Float.floatToFloat16(f), "bits 0x" + Integer.toHexString(Float.floatToRawIntBits(f)));
        }
    }

    @Test
    void referenceQuantizersMatchGgmlBitForBit() throws Throwable {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 32 * 64;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            MemorySegment y = arena.allocate(34L * n / 32);
            for (int round = 0; round < 200; round++) {
                float[] row = randomRow(rng, n, round);
                MemorySegment.copy(row, 0, x, ValueLayout.JAVA_FLOAT, 0, n);

                quantizeQ8_0.invokeExact(x, y, (long) n);
                ByteBuffer ours = ByteBuffer.allocate(34 * n / 32).order(ByteOrder.LITTLE_ENDIAN);
                Quantize.quantizeQ8_0(row, 0, n, ours);
                assertArrayEquals(y.asSlice(0, 34L * n / 32).toArray(ValueLayout.JAVA_BYTE), ours.array(), "q8_0 round " + round);

                quantizeQ4_0.invokeExact(x, y, (long) n);
                ours = ByteBuffer.allocate(18 * n / 32).order(ByteOrder.LITTLE_ENDIAN);
                Quantize.quantizeQ4_0(row, 0, n, ours);
                assertArrayEquals(y.asSlice(0, 18L * n / 32).toArray(ValueLayout.JAVA_BYTE), ours.array(), "q4_0 round " + round);
            }
        }
    }

    /** Rows that hit the edge cases: zeros, ties at .5, a negative maximum, tiny and large scales. */
    private static float[] randomRow(SplittableRandom rng, int n, int round) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = switch (round % 5) {
                case 0 -> (float) rng.nextGaussian();
                case 1 -> (float) (rng.nextInt(-16, 17) * 0.5); // exact halves: rounding ties
                case 2 -> i % 32 < 16 ? 0f : (float) rng.nextGaussian() * 1e-6f;
                case 3 -> (float) (rng.nextDouble(-1, 1) * Math.pow(10, rng.nextInt(-8, 9)));
                default -> -Math.abs((float) rng.nextGaussian()) * 100f;
            };
        }
        return row;
    }

    @Test
    void ourFilesAreValidForGgufCpp() throws Throwable {
        Path small = dir.resolve("small.gguf");
        GgufFile f = GgufFixtures.writeSmall(small);
        assertAgrees(Files.readAllBytes(small), f);
        Path tiny = dir.resolve("tiny.gguf");
        GgufFile t = ModelSynth.write(SynthPreset.TINY.spec().withWeightType(GgmlType.Q4_0), tiny, GgufWriter.WriteProgress.NONE);
        assertAgrees(Files.readAllBytes(tiny), t);
    }

    @Test
    void vocabularyFilesAgreeWithGgufCpp() throws Throwable {
        for (Path vocab : VocabFilesTest.vocabFiles()) {
            assertAgrees(Files.readAllBytes(vocab), GgufReader.read(vocab));
        }
    }

    private void assertAgrees(byte[] bytes, GgufFile ours) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = parse(arena, bytes);
            assertNotEquals(MemorySegment.NULL, ctx, "gguf.cpp rejected " + ours.path());
            try {
                assertEquals(ours.tensors().size(), (long) ggufNTensors.invokeExact(ctx));
                assertEquals(ours.metadata().size(), (long) ggufNKv.invokeExact(ctx));
                assertEquals(ours.dataOffset(), (long) ggufDataOffset.invokeExact(ctx));
            } finally {
                ggufFree.invokeExact(ctx);
            }
        }
    }

    /**
     * On truncated and bit-flipped variants of a file, gguf.cpp never accepts what this reader
     * rejects for a structural reason, and never rejects what this reader accepts unless
     * {@link GgufFile#llamaCppIssues()} says why. (This reader also checks that tensor data lie
     * within the file, which gguf.cpp leaves to llama.cpp's loader.)
     */
    @Test
    void readerAgreesWithGgufCppOnBrokenFiles() throws Throwable {
        Path file = dir.resolve("small.gguf");
        GgufFile info = GgufFixtures.writeSmall(file);
        byte[] small = Files.readAllBytes(file);
        int bothRejected = 0;
        for (int len = 0; len <= small.length; len++) {
            bothRejected += compare(Arrays.copyOf(small, len));
        }
        for (int pos = 0; pos < info.dataOffset(); pos++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] b = small.clone();
                b[pos] ^= (byte) mask;
                bothRejected += compare(b);
            }
        }
        assertTrue(bothRejected > 1000, "both rejected " + bothRejected + " variants");
    }

    /** Returns 1 if both parsers rejected {@code bytes}, else 0. */
    private int compare(byte[] bytes) throws Throwable {
        Path file = dir.resolve("variant.gguf");
        Files.write(file, bytes);
        GgufFile ours = null;
        String ourError = null;
        try {
            ours = GgufReader.read(file);
        } catch (GgufException e) {
            ourError = e.getMessage();
        }
        boolean theirs;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = parse(arena, bytes);
            theirs = !ctx.equals(MemorySegment.NULL);
            if (theirs) {
                ggufFree.invokeExact(ctx);
            }
        }
        if (theirs && ourError != null) {
            assertTrue(ourError.contains("truncated: tensor '") || ourError.contains("truncated: the data section"),
                    "gguf.cpp accepted what this reader rejected: " + ourError);
        }
        if (!theirs && ours != null) {
            assertFalse(ours.llamaCppIssues().isEmpty(), "gguf.cpp rejected a file this reader accepted without an issue");
        }
        return !theirs && ourError != null ? 1 : 0;
    }

    private static MemorySegment parse(Arena arena, byte[] bytes) throws Throwable {
        MemorySegment data = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        MemorySegment params = arena.allocate(GGUF_INIT_PARAMS);
        params.set(ValueLayout.JAVA_BOOLEAN, 0, true);
        params.set(ValueLayout.ADDRESS, 8, MemorySegment.NULL);
        return (MemorySegment) ggufInitFromBuffer.invokeExact(data, (long) bytes.length, params);
    }
}
