package io.infernet.runtime.gguf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One GGUF metadata value. Scalars are {@link Int}, {@link Real}, {@link Bool} and {@link Str};
 * arrays are {@link NumArray} (numbers and bools, kept as their little-endian file bytes so a large
 * array costs what it costs on disk), {@link StrArray} and {@link NestedArray} (arrays of arrays,
 * which the GGUF format allows but llama.cpp's loader rejects).
 */
public sealed interface GgufValue permits GgufValue.Int, GgufValue.Real, GgufValue.Bool, GgufValue.Str, GgufValue.Array {

    /** The type stored in the file ({@link GgufType#ARRAY} for arrays). */
    GgufType type();

    /** A short human-readable form: {@code 4096}, {@code "llama"}, {@code [str × 32000]}. */
    String display();

    // --- scalars --------------------------------------------------------------------------

    /**
     * An integer of one of the eight integer types. {@code value} is the number itself, range
     * checked against the type, except for {@link GgufType#UINT64}, where it holds the 64 bits
     * (read it with {@link Long#toUnsignedString(long)} when it may exceed {@link Long#MAX_VALUE}).
     */
    record Int(GgufType type, long value) implements GgufValue {
        public Int {
            Objects.requireNonNull(type, "type");
            if (!type.isInteger()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
            if (!fits(type, value)) {
                throw new IllegalArgumentException(value + " is out of range for " + type.shortName());
            }
        }

        static boolean fits(GgufType type, long v) {
            return switch (type) {
                case UINT8 -> v >= 0 && v <= 0xFF;
                case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
                case UINT16 -> v >= 0 && v <= 0xFFFF;
                case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
                case UINT32 -> v >= 0 && v <= 0xFFFF_FFFFL;
                case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                default -> true;
            };
        }

        @Override
        public String display() {
            return type == GgufType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }
    }

    /** A FLOAT32 (whose value must be exactly representable as a float) or FLOAT64. */
    record Real(GgufType type, double value) implements GgufValue {
        public Real {
            Objects.requireNonNull(type, "type");
            if (!type.isFloat()) {
                throw new IllegalArgumentException(type + " is not a float type");
            }
            if (type == GgufType.FLOAT32 && !Double.isNaN(value) && (double) (float) value != value) {
                throw new IllegalArgumentException(value + " is not exactly a float32; pass (float) value");
            }
        }

        @Override
        public String display() {
            return type == GgufType.FLOAT32 ? Float.toString((float) value) : Double.toString(value);
        }
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufType type() {
            return GgufType.BOOL;
        }

        @Override
        public String display() {
            return Boolean.toString(value);
        }
    }

    /** A UTF-8 string. */
    record Str(String value) implements GgufValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public GgufType type() {
            return GgufType.STRING;
        }

        @Override
        public String display() {
            String oneLine = value.replace("\n", "\\n");
            return "\"" + (oneLine.length() > 80 ? oneLine.substring(0, 77) + "..." : oneLine) + "\"";
        }
    }

    // --- arrays ---------------------------------------------------------------------------

    /** An array: all elements have {@link #elementType()}. */
    sealed interface Array extends GgufValue permits NumArray, StrArray, NestedArray {
        GgufType elementType();

        int size();

        @Override
        default GgufType type() {
            return GgufType.ARRAY;
        }

        @Override
        default String display() {
            return "[" + elementType().shortName() + " × " + size() + "]";
        }
    }

    /**
     * An array of a fixed-size type (integers, floats, bool), held as the little-endian bytes the
     * file stores. The canonical constructor takes ownership of {@code data}; {@link #data()}
     * returns a copy.
     */
    record NumArray(GgufType elementType, byte[] data) implements Array {
        private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        public NumArray {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(data, "data");
            if (!elementType.isFixedSize()) {
                throw new IllegalArgumentException(elementType + " has no fixed size; use StrArray or NestedArray");
            }
            if (data.length % elementType.size() != 0) {
                throw new IllegalArgumentException(data.length + " bytes are not a whole number of " + elementType.shortName() + " values");
            }
        }

        /** Copies the values into an array of {@code type} (range checked). */
        public static NumArray ofLongs(GgufType type, long... values) {
            if (!type.isInteger() && type != GgufType.BOOL) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
            byte[] out = new byte[values.length * type.size()];
            for (int i = 0; i < values.length; i++) {
                long v = values[i];
                if (type == GgufType.BOOL ? (v != 0 && v != 1) : !Int.fits(type, v)) {
                    throw new IllegalArgumentException("element " + i + " = " + v + " is out of range for " + type.shortName());
                }
                put(out, type, i, v);
            }
            return new NumArray(type, out);
        }

        public static NumArray ofInts(int... values) {
            return ofLongs(GgufType.INT32, Arrays.stream(values).asLongStream().toArray());
        }

        public static NumArray ofFloats(float... values) {
            byte[] out = new byte[values.length * 4];
            for (int i = 0; i < values.length; i++) {
                I32.set(out, i * 4, Float.floatToRawIntBits(values[i]));
            }
            return new NumArray(GgufType.FLOAT32, out);
        }

        public static NumArray ofDoubles(double... values) {
            byte[] out = new byte[values.length * 8];
            for (int i = 0; i < values.length; i++) {
                I64.set(out, i * 8, Double.doubleToRawLongBits(values[i]));
            }
            return new NumArray(GgufType.FLOAT64, out);
        }

        public static NumArray ofBools(boolean... values) {
            byte[] out = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = (byte) (values[i] ? 1 : 0);
            }
            return new NumArray(GgufType.BOOL, out);
        }

        private static void put(byte[] out, GgufType type, int i, long v) {
            switch (type.size()) {
                case 1 -> out[i] = (byte) v;
                case 2 -> I16.set(out, i * 2, (short) v);
                case 4 -> I32.set(out, i * 4, (int) v);
                default -> I64.set(out, i * 8, v);
            }
        }

        @Override
        public int size() {
            return data.length / elementType.size();
        }

        /** A copy of the little-endian bytes. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** Number of bytes this array takes in the file, without its header. */
        public int byteSize() {
            return data.length;
        }

        /** Element {@code i} of an integer or bool array (bool: 1 or 0; UINT64: the 64 bits). */
        public long getLong(int i) {
            Objects.checkIndex(i, size());
            return switch (elementType) {
                case UINT8 -> data[i] & 0xFF;
                case INT8 -> data[i];
                case BOOL -> data[i] != 0 ? 1 : 0;
                case UINT16 -> (short) I16.get(data, i * 2) & 0xFFFF;
                case INT16 -> (short) I16.get(data, i * 2);
                case UINT32 -> (int) I32.get(data, i * 4) & 0xFFFF_FFFFL;
                case INT32 -> (int) I32.get(data, i * 4);
                case UINT64, INT64 -> (long) I64.get(data, i * 8);
                default -> throw new IllegalStateException("a " + elementType.shortName() + " array holds no integers");
            };
        }

        /** Element {@code i} as a double (integers are converted). */
        public double getDouble(int i) {
            Objects.checkIndex(i, size());
            return switch (elementType) {
                case FLOAT32 -> Float.intBitsToFloat((int) I32.get(data, i * 4));
                case FLOAT64 -> Double.longBitsToDouble((long) I64.get(data, i * 8));
                case UINT64 -> Double.parseDouble(Long.toUnsignedString(getLong(i)));
                default -> getLong(i);
            };
        }

        /** Raw little-endian bytes for the writer, without copying. */
        byte[] rawData() {
            return data;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NumArray other && elementType == other.elementType && Arrays.equals(data, other.data);
        }

        @Override
        public int hashCode() {
            return 31 * elementType.hashCode() + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NumArray[" + elementType.shortName() + " × " + size() + "]";
        }
    }

    /** An array of strings. */
    record StrArray(List<String> values) implements Array {
        public StrArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufType elementType() {
            return GgufType.STRING;
        }

        @Override
        public int size() {
            return values.size();
        }

        @Override
        public String toString() {
            return "StrArray[str × " + size() + "]";
        }
    }

    /**
     * An array of arrays. The inner arrays each carry their own element type, as the file does;
     * llama.cpp's loader refuses files that contain one (see {@link GgufFile#llamaCppIssues()}).
     */
    record NestedArray(List<Array> values) implements Array {
        public NestedArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufType elementType() {
            return GgufType.ARRAY;
        }

        @Override
        public int size() {
            return values.size();
        }
    }

    // --- factories ------------------------------------------------------------------------

    static Int u8(int v) {
        return new Int(GgufType.UINT8, v);
    }

    static Int i8(int v) {
        return new Int(GgufType.INT8, v);
    }

    static Int u16(int v) {
        return new Int(GgufType.UINT16, v);
    }

    static Int i16(int v) {
        return new Int(GgufType.INT16, v);
    }

    static Int u32(long v) {
        return new Int(GgufType.UINT32, v);
    }

    static Int i32(int v) {
        return new Int(GgufType.INT32, v);
    }

    static Int u64(long bits) {
        return new Int(GgufType.UINT64, bits);
    }

    static Int i64(long v) {
        return new Int(GgufType.INT64, v);
    }

    static Real f32(float v) {
        return new Real(GgufType.FLOAT32, v);
    }

    static Real f64(double v) {
        return new Real(GgufType.FLOAT64, v);
    }

    static Bool bool(boolean v) {
        return new Bool(v);
    }

    static Str string(String v) {
        return new Str(v);
    }

    static StrArray strings(List<String> values) {
        return new StrArray(values);
    }
}
