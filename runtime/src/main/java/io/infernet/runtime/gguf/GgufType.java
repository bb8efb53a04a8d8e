package io.infernet.runtime.gguf;

import java.util.Optional;

/**
 * The value types of GGUF metadata ({@code enum gguf_type} in {@code gguf.h}); the id is what the
 * file stores, as a little-endian int32.
 */
public enum GgufType {
    UINT8(0, 1, "u8"),
    INT8(1, 1, "i8"),
    UINT16(2, 2, "u16"),
    INT16(3, 2, "i16"),
    UINT32(4, 4, "u32"),
    INT32(5, 4, "i32"),
    FLOAT32(6, 4, "f32"),
    BOOL(7, 1, "bool"),
    STRING(8, 0, "str"),
    ARRAY(9, 0, "arr"),
    UINT64(10, 8, "u64"),
    INT64(11, 8, "i64"),
    FLOAT64(12, 8, "f64");

    private static final GgufType[] BY_ID = values();

    private final int id;
    private final int size;
    private final String shortName;

    GgufType(int id, int size, String shortName) {
        this.id = id;
        this.size = size;
        this.shortName = shortName;
    }

    /** The id stored in the file. */
    public int id() {
        return id;
    }

    /** Bytes of one value in the file; 0 for {@link #STRING} and {@link #ARRAY}, whose size varies. */
    public int size() {
        return size;
    }

    /** gguf.cpp's name for the type ({@code u32}, {@code str}, ...). */
    public String shortName() {
        return shortName;
    }

    /** True for the eight integer types. */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** True for FLOAT32 and FLOAT64. */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** True for types of a fixed size: integers, floats and bool. */
    public boolean isFixedSize() {
        return size > 0;
    }

    /** The type with this file id, or empty for an id gguf.h does not define. */
    public static Optional<GgufType> fromId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[id]) : Optional.empty();
    }
}
