package io.infernet.runtime.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SequencedMap;

/**
 * A validated GGUF file: header, metadata in file order, tensor infos; no weights. Made by
 * {@link GgufReader#read(Path)} from a file, or by {@link GgufWriter#layout} for a file about to be
 * written (then {@code path} is where it will be).
 *
 * @param path       the file, as the caller named it
 * @param version    GGUF version, 2 or 3
 * @param fileSize   bytes of the whole file
 * @param alignment  alignment of the data section and of each tensor's data, in bytes (a power of two)
 * @param dataOffset file offset where the data section starts; tensor offsets are relative to it
 * @param metadata   key/values in file order (unmodifiable)
 * @param tensors    tensor infos in file order (unmodifiable)
 */
public record GgufFile(Path path, int version, long fileSize, int alignment, long dataOffset,
                       SequencedMap<String, GgufValue> metadata, List<GgufTensor> tensors) {

    public GgufFile {
        Objects.requireNonNull(path, "path");
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("GGUF version " + version + " is not 2 or 3");
        }
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        if (dataOffset < 0 || dataOffset > fileSize) {
            throw new IllegalArgumentException("data offset " + dataOffset + " is outside the file of " + fileSize + " bytes");
        }
        metadata = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    // --- metadata, typed -------------------------------------------------------------------

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw GgufException.of(path, "metadata key '" + key + "' is missing");
        }
        return v;
    }

    private GgufException wrongType(String key, GgufValue v, String expected) {
        String actual = v instanceof GgufValue.Array a ? "an array of " + a.elementType().shortName() : v.type().shortName();
        return GgufException.of(path, "metadata key '" + key + "' is " + actual + ", expected " + expected);
    }

    public String getString(String key) {
        return switch (require(key)) {
            case GgufValue.Str s -> s.value();
            case GgufValue v -> throw wrongType(key, v, "a string");
        };
    }

    public Optional<String> findString(String key) {
        return metadata.containsKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    /** An integer of any integer type; a UINT64 above {@link Long#MAX_VALUE} is an error. */
    public long getLong(String key) {
        return switch (require(key)) {
            case GgufValue.Int i when i.type() == GgufType.UINT64 && i.value() < 0 ->
                    throw GgufException.of(path, "metadata key '" + key + "' = " + i.display() + " is too large");
            case GgufValue.Int i -> i.value();
            case GgufValue v -> throw wrongType(key, v, "an integer");
        };
    }

    public OptionalLong findLong(String key) {
        return metadata.containsKey(key) ? OptionalLong.of(getLong(key)) : OptionalLong.empty();
    }

    /** An integer that must fit in an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw GgufException.of(path, "metadata key '" + key + "' = " + v + " does not fit in 32 bits");
        }
        return (int) v;
    }

    /** A FLOAT32 or FLOAT64 (narrowed to float). */
    public float getFloat(String key) {
        return switch (require(key)) {
            case GgufValue.Real r -> (float) r.value();
            case GgufValue v -> throw wrongType(key, v, "a float");
        };
    }

    public boolean getBool(String key) {
        return switch (require(key)) {
            case GgufValue.Bool b -> b.value();
            case GgufValue v -> throw wrongType(key, v, "a bool");
        };
    }

    public GgufValue.Array getArray(String key) {
        return switch (require(key)) {
            case GgufValue.Array a -> a;
            case GgufValue v -> throw wrongType(key, v, "an array");
        };
    }

    // --- model hyperparameters (llama.cpp's keys, see GgufKeys) ------------------------------

    /** {@code general.architecture}, e.g. {@code llama}. */
    public String architecture() {
        return getString(GgufKeys.ARCHITECTURE);
    }

    /** {@code general.name}, if present. */
    public Optional<String> name() {
        return findString(GgufKeys.NAME);
    }

    private String archKey(String key) {
        return GgufKeys.arch(architecture(), key);
    }

    /** Context length the model was trained with ({@code <arch>.context_length}). */
    public long contextLength() {
        return getLong(archKey(GgufKeys.CONTEXT_LENGTH));
    }

    public int embeddingLength() {
        return getInt(archKey(GgufKeys.EMBEDDING_LENGTH));
    }

    public int blockCount() {
        return getInt(archKey(GgufKeys.BLOCK_COUNT));
    }

    /** Feed-forward length; for a per-layer array, the largest. */
    public int feedForwardLength() {
        return intOrLayerMax(archKey(GgufKeys.FEED_FORWARD_LENGTH));
    }

    /** Attention heads; for a per-layer array, the largest. */
    public int headCount() {
        return intOrLayerMax(archKey(GgufKeys.HEAD_COUNT));
    }

    /** Key/value heads; as llama.cpp, {@link #headCount()} when absent; for a per-layer array, the largest. */
    public int headCountKv() {
        String key = archKey(GgufKeys.HEAD_COUNT_KV);
        return metadata.containsKey(key) ? intOrLayerMax(key) : headCount();
    }

    /** Dimension of one attention head: {@code <arch>.attention.key_length}, else embedding length / heads. */
    public int headDim() {
        String key = archKey(GgufKeys.KEY_LENGTH);
        if (metadata.containsKey(key)) {
            return getInt(key);
        }
        int heads = headCount();
        if (heads <= 0) {
            throw GgufException.of(path, "metadata key '" + archKey(GgufKeys.HEAD_COUNT) + "' is " + heads + "; cannot derive the head size");
        }
        return embeddingLength() / heads;
    }

    /**
     * Vocabulary size: {@code <arch>.vocab_size}, else the length of {@code tokenizer.ggml.tokens},
     * as llama.cpp determines it.
     */
    public int vocabSize() {
        String key = archKey(GgufKeys.VOCAB_SIZE);
        if (metadata.containsKey(key)) {
            return getInt(key);
        }
        return getArray(GgufKeys.TOKENS).size();
    }

    /** {@code tokenizer.chat_template}, if the file has one. */
    public Optional<String> chatTemplate() {
        return findString(GgufKeys.CHAT_TEMPLATE);
    }

    private int intOrLayerMax(String key) {
        GgufValue v = require(key);
        if (v instanceof GgufValue.NumArray a && a.elementType().isInteger()) {
            long max = 0;
            for (int i = 0; i < a.size(); i++) {
                max = Math.max(max, a.getLong(i));
            }
            if (max > Integer.MAX_VALUE) {
                throw GgufException.of(path, "metadata key '" + key + "' holds " + max + ", which does not fit in 32 bits");
            }
            return (int) max;
        }
        return getInt(key);
    }

    // --- tensors ---------------------------------------------------------------------------

    public Optional<GgufTensor> tensor(String name) {
        for (GgufTensor t : tensors) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Sum of the tensors' data sizes in bytes, without alignment padding. */
    public long tensorBytes() {
        long sum = 0;
        for (GgufTensor t : tensors) {
            sum += t.byteSize();
        }
        return sum;
    }

    /** Sum of the tensors' element counts. */
    public long parameterCount() {
        long sum = 0;
        for (GgufTensor t : tensors) {
            sum += t.elementCount();
        }
        return sum;
    }

    /** The summary the hardware-fit code and the bench use. */
    public ModelShape shape() {
        return ModelShape.of(this);
    }

    /**
     * Things the GGUF format allows but the pinned llama.cpp's {@code gguf_init_from_file}
     * rejects: arrays of arrays, and tensor data that is not laid out back to back in tensor-info
     * order with each tensor padded to the alignment. Empty for files llama.cpp can open.
     */
    public List<String> llamaCppIssues() {
        List<String> issues = new ArrayList<>();
        metadata.forEach((k, v) -> {
            if (v instanceof GgufValue.NestedArray) {
                issues.add("metadata key '" + GgufException.shown(k) + "' is an array of arrays, which llama.cpp does not read");
            }
        });
        long expected = 0;
        for (GgufTensor t : tensors) {
            if (t.offset() != expected) {
                issues.add("tensor '" + t.name() + "' starts at data offset " + t.offset() + " but llama.cpp expects " + expected
                        + " (tensors back to back in info order, each padded to " + alignment + " bytes)");
                break;
            }
            expected += GgufWriter.pad(t.byteSize(), alignment);
        }
        return issues;
    }

    /**
     * Maps one tensor's data read-only into {@code arena}, which owns the mapping: it stays valid
     * until the arena is closed. The data are not checked.
     */
    public MemorySegment mapTensor(GgufTensor tensor, Arena arena) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + tensor.offset(), tensor.byteSize(), arena);
        } catch (IOException e) {
            throw GgufException.of(path, "cannot map tensor '" + tensor.name() + "': " + e.getMessage());
        }
    }
}
