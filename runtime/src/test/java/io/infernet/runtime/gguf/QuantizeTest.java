package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-computed blocks for ggml's reference Q8_0 and Q4_0 quantization. */
class QuantizeTest {

    private static byte[] q8(float[] x) {
        ByteBuffer out = ByteBuffer.allocate(34 * x.length / 32);
        Quantize.quantizeQ8_0(x, 0, x.length, out);
        assertEquals(out.capacity(), out.position());
        return out.array();
    }

    private static byte[] q4(float[] x) {
        ByteBuffer out = ByteBuffer.allocate(18 * x.length / 32);
        Quantize.quantizeQ4_0(x, 0, x.length, out);
        assertEquals(out.capacity(), out.position());
        return out.array();
    }

    @Test
    void q8_0RoundsHalfwayAwayFromZero() {
        // amax 127 gives d = 1 (f16 0x3C00) and id = 1, so the quants are roundf(x)
        float[] x = new float[32];
        float[] v = {127f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f, -126.5f, 0.49999997f};
        System.arraycopy(v, 0, x, 0, v.length);
        byte[] expected = new byte[34];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        byte[] q = {127, 3, -3, 1, -1, 1, -127, 0};
        System.arraycopy(q, 0, expected, 2, q.length);
        assertArrayEquals(expected, q8(x));
    }

    @Test
    void q8_0OfARamp() {
        // x = 0..31: d = 31/127 = 0.24409449 -> f16 0x33D0 (0.2441); id = 4.096774
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = i;
        }
        byte[] b = q8(x);
        assertEquals((short) 0x33D0, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(0));
        assertEquals(0, b[2]);
        assertEquals(4, b[3]);   // 1 * 4.0968
        assertEquals(61, b[2 + 15]); // 15 * 4.0968 = 61.45
        assertEquals(66, b[2 + 16]); // 16 * 4.0968 = 65.55
        assertEquals(127, b[2 + 31]);
    }

    @Test
    void q4_0UsesTheSignedMaximumAndClampsAt15() {
        // max by magnitude is -8: d = -8 / -8 = 1, id = 1; quant = min(15, (int)(x + 8.5))
        float[] x = new float[32];
        x[0] = -8f;   // 0.5  -> 0
        x[1] = 7f;    // 15.5 -> 15
        x[2] = 0f;    // 8.5  -> 8
        x[3] = -0.6f; // 7.9  -> 7
        x[4] = 0.5f;  // 9.0  -> 9
        x[5] = 7.9f;  // 16.4 -> 16 -> clamped to 15
        x[16] = 3f;   // 11.5 -> 11, high nibble of byte 0
        x[17] = -3f;  // 5.5  -> 5, high nibble of byte 1
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        int[] qs = {0xB0, 0x5F, 0x88, 0x87, 0x89, 0x8F};
        for (int i = 0; i < 16; i++) {
            expected[2 + i] = (byte) (i < qs.length ? qs[i] : 0x88);
        }
        assertArrayEquals(expected, q4(x));
    }

    @Test
    void q4_0WithAPositiveMaximumHasANegativeScale() {
        float[] x = new float[32];
        x[0] = 4f;  // d = 4 / -8 = -0.5 (f16 0xB800), id = -2: -8 + 8.5 -> 0
        x[1] = -4f; // 8 + 8.5 = 16.5 -> 16 -> 15
        x[2] = 1f;  // -2 + 8.5 = 6.5 -> 6
        byte[] b = q4(x);
        assertEquals((short) 0xB800, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(0));
        assertEquals((byte) 0x80, b[2]);
        assertEquals((byte) 0x8F, b[3]);
        assertEquals((byte) 0x86, b[4]);
        float[] y = new float[32];
        Quantize.dequantizeQ4_0(ByteBuffer.wrap(b), y, 0, 32);
        assertEquals(4f, y[0]);
        assertEquals(-3.5f, y[1], "the most negative quant is -8, so -4 clips to 7 * -0.5");
        assertEquals(1f, y[2]);
    }

    @Test
    void allZeroBlocks() {
        float[] x = new float[32];
        byte[] q8 = q8(x);
        assertArrayEquals(new byte[34], q8);
        byte[] q4 = q4(x);
        // Q4_0's d is 0 / -8 = -0.0 (f16 0x8000) and every quant is 8
        assertEquals(0x00, q4[0]);
        assertEquals((byte) 0x80, q4[1]);
        for (int i = 2; i < 18; i++) {
            assertEquals((byte) 0x88, q4[i]);
        }
    }

    @Test
    void dequantizationErrorIsBoundedByHalfAStep() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[32 * 100];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = new float[x.length];
        Quantize.dequantizeQ8_0(ByteBuffer.wrap(q8(x)), y, 0, x.length);
        assertBlockError(x, y, 127, 0.5f);
        Quantize.dequantizeQ4_0(ByteBuffer.wrap(q4(x)), y, 0, x.length);
        assertBlockError(x, y, 8, 1f);
    }

    @Test
    void roundfIsCsRoundf() {
        assertEquals(3f, Quantize.roundf(2.5f));
        assertEquals(-3f, Quantize.roundf(-2.5f));
        assertEquals(0f, Quantize.roundf(0.49999997f));
        assertEquals(1f, Quantize.roundf(0.5f));
        assertEquals(8388609f, Quantize.roundf(8388609f));
    }

    /**
     * Every element of {@code y} is within {@code steps} quantization steps of {@code x} (plus
     * 1e-3 of the block's largest magnitude), a step being that magnitude / {@code levels}, per
     * 32-element block.
     */
    private static void assertBlockError(float[] x, float[] y, int levels, float steps) {
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float step = amax / levels;
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                assertTrue(Math.abs(x[i] - y[i]) <= step * steps + amax * 1e-3f, "element " + i);
            }
        }
    }

    @Test
    void partialBlocksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Quantize.quantizeQ8_0(new float[33], 0, 33, ByteBuffer.allocate(100)));
    }
}
