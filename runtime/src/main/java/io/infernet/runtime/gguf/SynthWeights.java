package io.infernet.runtime.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Seeded random tensor data, generated as it is written (nothing is held beyond one buffer).
 * Values are uniform with a given standard deviation; quantized types are drawn directly in
 * quantized form (random quants, random per-block scales), which are as valid random weights as
 * quantized random floats and much faster to make. The generator is SplitMix64, written out here
 * so the bytes of a file depend on nothing but the seed (not on the JDK's random classes).
 */
final class SynthWeights {
    private SynthWeights() {}

    private static final int CHUNK_BYTES = 1 << 20;
    /** Standard deviation of quants uniform over -127..127 (Q8_0): sqrt(127 * 128 / 3). */
    private static final double Q8_STD = Math.sqrt(127.0 * 128.0 / 3.0);
    /** Standard deviation of quants uniform over -8..7 (Q4_0): sqrt((16^2 - 1) / 12). */
    private static final double Q4_STD = Math.sqrt((16.0 * 16.0 - 1.0) / 12.0);

    /** {@code elements} random values of {@code type} with standard deviation about {@code std}. */
    static GgufWriter.TensorData random(GgmlType type, long elements, long seed, double std) {
        return sink -> {
            SplitMix64 rng = new SplitMix64(seed);
            int blockBytes = type.blockBytes();
            long blocks = elements / type.blockSize();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES / blockBytes * blockBytes).order(ByteOrder.LITTLE_ENDIAN);
            long done = 0;
            while (done < blocks) {
                int n = (int) Math.min(blocks - done, buf.capacity() / blockBytes);
                buf.clear();
                switch (type) {
                    case F32 -> fillF32(buf, n, rng, std);
                    case F16 -> fillF16(buf, n, rng, std);
                    case Q8_0 -> fillQ8_0(buf, n, rng, std);
                    case Q4_0 -> fillQ4_0(buf, n, rng, std);
                    default -> throw new IllegalArgumentException("random weights of type " + type.ggmlName() + " are not supported");
                }
                buf.flip();
                sink.write(buf);
                done += n;
            }
        };
    }

    /** {@code elements} F32 values all equal to {@code value} (norm weights). */
    static GgufWriter.TensorData constantF32(long elements, float value) {
        return sink -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            long done = 0;
            while (done < elements) {
                int n = (int) Math.min(elements - done, CHUNK_BYTES / 4);
                buf.clear();
                for (int i = 0; i < n; i++) {
                    buf.putFloat(value);
                }
                buf.flip();
                sink.write(buf);
                done += n;
            }
        };
    }

    /** Types {@link #random} can make. */
    static boolean supports(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /** Uniform on [-sqrt(3), sqrt(3)) (unit variance) from 24 random bits. */
    private static float unit(long bits24) {
        return (float) ((bits24 * 0x1.0p-24 * 2.0 - 1.0) * Math.sqrt(3.0));
    }

    private static void fillF32(ByteBuffer buf, int n, SplitMix64 rng, double std) {
        for (int i = 0; i < n; i += 2) {
            long r = rng.next();
            buf.putFloat((float) (unit(r >>> 40) * std));
            if (i + 1 < n) {
                buf.putFloat((float) (unit((r >>> 16) & 0xFFFFFF) * std));
            }
        }
    }

    private static void fillF16(ByteBuffer buf, int n, SplitMix64 rng, double std) {
        for (int i = 0; i < n; i += 2) {
            long r = rng.next();
            buf.putShort(Float.floatToFloat16((float) (unit(r >>> 40) * std)));
            if (i + 1 < n) {
                buf.putShort(Float.floatToFloat16((float) (unit((r >>> 16) & 0xFFFFFF) * std)));
            }
        }
    }

    /**
     * Block scale: the target deviation over the quants' deviation, times a random factor in
     * [0.75, 1.25), with a random sign (so Q4_0's quants, uniform on -8..7 and so of mean -1/2,
     * add no bias in a common direction).
     */
    private static short scale(SplitMix64 rng, double std, double quantStd) {
        long r = rng.next();
        double factor = 0.75 + 0.5 * ((r >>> 11) * 0x1.0p-53);
        double sign = (r & 1) == 0 ? 1 : -1;
        return Float.floatToFloat16((float) (sign * std / quantStd * factor));
    }

    private static void fillQ8_0(ByteBuffer buf, int blocks, SplitMix64 rng, double std) {
        for (int b = 0; b < blocks; b++) {
            buf.putShort(scale(rng, std, Q8_STD));
            for (int k = 0; k < Quantize.QK / 8; k++) {
                long r = rng.next();
                for (int j = 0; j < 8; j++) {
                    byte q = (byte) (r >>> (8 * j));
                    buf.put(q == Byte.MIN_VALUE ? -127 : q); // ggml's quantizer never emits -128
                }
            }
        }
    }

    private static void fillQ4_0(ByteBuffer buf, int blocks, SplitMix64 rng, double std) {
        for (int b = 0; b < blocks; b++) {
            buf.putShort(scale(rng, std, Q4_STD));
            buf.putLong(rng.next()); // 16 nibbles: any byte is a valid pair of Q4_0 quants
            buf.putLong(rng.next());
        }
    }

    /** A seed for one tensor: the model seed mixed with the tensor's name. */
    static long tensorSeed(long seed, String tensorName) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return SplitMix64.mix(seed ^ SplitMix64.mix(h));
    }

    /** SplitMix64 (Steele, Lea, Flood 2014), the generator of {@code java.util.SplittableRandom}. */
    static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        long next() {
            return mix(state += 0x9e3779b97f4a7c15L);
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
