package io.infernet.runtime.gguf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One tensor info of a GGUF file.
 *
 * @param name   unique name, at most {@value #MAX_NAME_BYTES} UTF-8 bytes (ggml's
 *               {@code GGML_MAX_NAME} less the terminating NUL)
 * @param dims   elements per dimension, innermost first (ggml's {@code ne}), 1 to
 *               {@value #MAX_DIMS} entries, each at least 1; {@code dims[0]} is a multiple of the
 *               type's block size
 * @param type   element type
 * @param offset start of the data, in bytes from the start of the file's data section; a
 *               multiple of the file's alignment
 */
public record GgufTensor(String name, List<Long> dims, GgmlType type, long offset) {
    /** ggml's {@code GGML_MAX_DIMS}. */
    public static final int MAX_DIMS = 4;
    /** Longest name llama.cpp accepts, in UTF-8 bytes ({@code GGML_MAX_NAME} is 64 with the NUL). */
    public static final int MAX_NAME_BYTES = 63;

    public GgufTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = List.copyOf(dims);
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' must have 1 to " + MAX_NAME_BYTES + " UTF-8 bytes");
        }
        if (dims.isEmpty() || dims.size() > MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.size() + " dimensions; 1 to " + MAX_DIMS + " are allowed");
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a dimension of " + d + "; each must be at least 1");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims.getFirst() % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type.ggmlName() + " has rows of " + dims.getFirst()
                    + " elements, not a multiple of the block size " + type.blockSize());
        }
        type.bytes(elements); // throws ArithmeticException on overflow
        if (offset < 0) {
            throw new IllegalArgumentException("tensor '" + name + "' has a negative offset " + offset);
        }
    }

    /** Number of elements (the product of {@link #dims()}). */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Bytes of data ({@code ggml_nbytes}): elements / block size * bytes per block. */
    public long byteSize() {
        return type.bytes(elementCount());
    }

    /** Shape as ggml prints it, e.g. {@code [4096, 32000]}. */
    public String shape() {
        return dims.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A copy at another offset. */
    public GgufTensor withOffset(long newOffset) {
        return new GgufTensor(name, dims, type, newOffset);
    }
}
