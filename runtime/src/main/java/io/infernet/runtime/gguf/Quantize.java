package io.infernet.runtime.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ggml's reference quantization ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref} in
 * {@code ggml-quants.c}) and dequantization, bit for bit: same float operations in the same order,
 * {@code roundf} rounding half away from zero, scales converted to IEEE half precision with
 * round-to-nearest-even ({@link Float#floatToFloat16}, which equals ggml's
 * {@code GGML_FP32_TO_FP16} for finite values). A test checks both against the pinned library.
 *
 * <p>Blocks are written to and read from buffers in little-endian order starting at their
 * position, which is advanced.
 */
public final class Quantize {
    private Quantize() {}

    /** Elements per Q8_0 and Q4_0 block. */
    public static final int QK = 32;

    /**
     * Quantizes {@code n} floats of {@code x} from {@code offset} to Q8_0 blocks (2-byte F16 scale,
     * then 32 int8 quants each) into {@code out}.
     *
     * @throws IllegalArgumentException if {@code n} is not a multiple of 32
     */
    public static void quantizeQ8_0(float[] x, int offset, int n, ByteBuffer out) {
        checkBlocks(n);
        ByteBuffer le = out.order() == ByteOrder.LITTLE_ENDIAN ? out : out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = out.position();
        for (int i = 0; i < n / QK; i++) {
            int base = offset + i * QK;
            float amax = 0.0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / ((1 << 7) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            le.putShort(p, Float.floatToFloat16(d));
            p += 2;
            for (int j = 0; j < QK; j++) {
                le.put(p++, (byte) roundf(x[base + j] * id));
            }
        }
        out.position(p);
    }

    /**
     * Quantizes {@code n} floats of {@code x} from {@code offset} to Q4_0 blocks (2-byte F16 scale,
     * then 16 bytes: element j in the low nibble of byte j, element j+16 in its high nibble, each
     * stored as quant + 8) into {@code out}.
     *
     * @throws IllegalArgumentException if {@code n} is not a multiple of 32
     */
    public static void quantizeQ4_0(float[] x, int offset, int n, ByteBuffer out) {
        checkBlocks(n);
        ByteBuffer le = out.order() == ByteOrder.LITTLE_ENDIAN ? out : out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = out.position();
        for (int i = 0; i < n / QK; i++) {
            int base = offset + i * QK;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[base + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            le.putShort(p, Float.floatToFloat16(d));
            p += 2;
            for (int j = 0; j < QK / 2; j++) {
                float x0 = x[base + j] * id;
                float x1 = x[base + QK / 2 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                le.put(p++, (byte) (xi0 | (xi1 << 4)));
            }
        }
        out.position(p);
    }

    /** Reads {@code n} elements of Q8_0 blocks from {@code in} into {@code y} ({@code dequantize_row_q8_0}). */
    public static void dequantizeQ8_0(ByteBuffer in, float[] y, int offset, int n) {
        checkBlocks(n);
        ByteBuffer le = in.order() == ByteOrder.LITTLE_ENDIAN ? in : in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = in.position();
        for (int i = 0; i < n / QK; i++) {
            float d = Float.float16ToFloat(le.getShort(p));
            p += 2;
            for (int j = 0; j < QK; j++) {
                y[offset + i * QK + j] = le.get(p++) * d;
            }
        }
        in.position(p);
    }

    /** Reads {@code n} elements of Q4_0 blocks from {@code in} into {@code y} ({@code dequantize_row_q4_0}). */
    public static void dequantizeQ4_0(ByteBuffer in, float[] y, int offset, int n) {
        checkBlocks(n);
        ByteBuffer le = in.order() == ByteOrder.LITTLE_ENDIAN ? in : in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = in.position();
        for (int i = 0; i < n / QK; i++) {
            float d = Float.float16ToFloat(le.getShort(p));
            p += 2;
            for (int j = 0; j < QK / 2; j++) {
                int b = le.get(p++) & 0xFF;
                y[offset + i * QK + j] = ((b & 0x0F) - 8) * d;
                y[offset + i * QK + j + QK / 2] = ((b >>> 4) - 8) * d;
            }
        }
        in.position(p);
    }

    /** C's {@code roundf}: nearest integer, halfway cases away from zero (exact for every float). */
    static float roundf(float x) {
        // |x| + 0.5 is exact in double for every float, so floor() sees the true sum.
        return (float) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
    }

    private static void checkBlocks(int n) {
        if (n < 0 || n % QK != 0) {
            throw new IllegalArgumentException(n + " elements are not a whole number of " + QK + "-element blocks");
        }
    }
}
