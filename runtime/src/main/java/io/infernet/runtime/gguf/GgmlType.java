package io.infernet.runtime.gguf;

import java.util.Optional;

/**
 * Tensor element types of ggml ({@code enum ggml_type} in {@code ggml.h}) with the block size and
 * bytes per block of {@code type_traits} in {@code ggml.c}, for the pinned ggml 0.25.1. Every type
 * that ggml can store in a GGUF file is here, so the byte size of any tensor llama.cpp can load is
 * known without native code; a test checks this table against {@code ggml_blck_size} and
 * {@code ggml_type_size} of the pinned library.
 *
 * <p>Ids 4, 5 (Q4_2, Q4_3), 31-33 (Q4_0_4_4, Q4_0_4_8, Q4_0_8_8) and 36-38 (IQ4_NL_4_4 ...) were
 * removed from ggml and are rejected: see {@link #removedTypeName(int)}.
 */
public enum GgmlType {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    Q4_0(2, "q4_0", 32, 2 + 16),
    Q4_1(3, "q4_1", 32, 2 + 2 + 16),
    Q5_0(6, "q5_0", 32, 2 + 4 + 16),
    Q5_1(7, "q5_1", 32, 2 + 2 + 4 + 16),
    Q8_0(8, "q8_0", 32, 2 + 32),
    Q8_1(9, "q8_1", 32, 2 + 2 + 32),
    Q2_K(10, "q2_K", 256, 2 + 2 + 256 / 16 + 256 / 4),
    Q3_K(11, "q3_K", 256, 2 + 256 / 4 + 256 / 8 + 12),
    Q4_K(12, "q4_K", 256, 2 + 2 + 256 / 2 + 12),
    Q5_K(13, "q5_K", 256, 2 + 2 + 256 / 2 + 256 / 8 + 12),
    Q6_K(14, "q6_K", 256, 2 + 256 / 2 + 256 / 4 + 256 / 16),
    Q8_K(15, "q8_K", 256, 4 + 256 + 256 / 8),
    IQ2_XXS(16, "iq2_xxs", 256, 2 + 256 / 4),
    IQ2_XS(17, "iq2_xs", 256, 2 + 256 / 4 + 256 / 32),
    IQ3_XXS(18, "iq3_xxs", 256, 2 + 256 / 4 + 256 / 8),
    IQ1_S(19, "iq1_s", 256, 2 + 256 / 8 + 256 / 16),
    IQ4_NL(20, "iq4_nl", 32, 2 + 16),
    IQ3_S(21, "iq3_s", 256, 2 + 256 / 4 + 256 / 8 + 256 / 32 + 4),
    IQ2_S(22, "iq2_s", 256, 2 + 256 / 4 + 256 / 16),
    IQ4_XS(23, "iq4_xs", 256, 2 + 2 + 256 / 2 + 256 / 64),
    I8(24, "i8", 1, 1),
    I16(25, "i16", 1, 2),
    I32(26, "i32", 1, 4),
    I64(27, "i64", 1, 8),
    F64(28, "f64", 1, 8),
    IQ1_M(29, "iq1_m", 256, 256 / 8 + 256 / 16 + 256 / 32),
    BF16(30, "bf16", 1, 2),
    TQ1_0(34, "tq1_0", 256, 2 + 4 * 13),
    TQ2_0(35, "tq2_0", 256, 2 + 64),
    MXFP4(39, "mxfp4", 32, 1 + 16),
    NVFP4(40, "nvfp4", 64, 4 + 32),
    Q1_0(41, "q1_0", 128, 2 + 16),
    Q2_0(42, "q2_0", 64, 2 + 16);

    /** {@code GGML_TYPE_COUNT} of the pin: ids are below this. */
    public static final int ID_LIMIT = 43;

    private static final GgmlType[] BY_ID = new GgmlType[ID_LIMIT];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, String ggmlName, int blockSize, int blockBytes) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The id stored in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** ggml's name ({@code ggml_type_name}), e.g. {@code q4_0}, {@code q4_K}. */
    public String ggmlName() {
        return ggmlName;
    }

    /** Elements per block ({@code ggml_blck_size}); a row's length must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block ({@code ggml_type_size}). */
    public int blockBytes() {
        return blockBytes;
    }

    /** True for block-quantized types (block size above 1). */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes of {@code elements} elements, which must be a whole number of blocks.
     *
     * @throws ArithmeticException if the size does not fit in a long
     * @throws IllegalArgumentException if {@code elements} is negative or not a multiple of the block size
     */
    public long bytes(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements of " + ggmlName + " are not a whole number of " + blockSize + "-element blocks");
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** Average bits per weight, e.g. 4.5 for Q4_0. */
    public double bitsPerWeight() {
        return 8.0 * blockBytes / blockSize;
    }

    /** The type with this id, or empty for unknown and removed ids. */
    public static Optional<GgmlType> fromId(int id) {
        return id >= 0 && id < ID_LIMIT ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    /** Parses a name as ggml writes it, case-insensitively ({@code q8_0}, {@code Q4_K}, {@code f16}). */
    public static Optional<GgmlType> fromName(String name) {
        for (GgmlType t : values()) {
            if (t.ggmlName.equalsIgnoreCase(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The former name of an id ggml removed, or empty if the id was never removed. */
    public static Optional<String> removedTypeName(int id) {
        return Optional.ofNullable(switch (id) {
            case 4 -> "Q4_2";
            case 5 -> "Q4_3";
            case 31 -> "Q4_0_4_4";
            case 32 -> "Q4_0_4_8";
            case 33 -> "Q4_0_8_8";
            case 36 -> "IQ4_NL_4_4";
            case 37 -> "IQ4_NL_4_8";
            case 38 -> "IQ4_NL_8_8";
            default -> null;
        });
    }
}
