package io.infernet.runtime.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and validates the header, metadata and tensor infos of a GGUF file without reading the
 * weights, so that llama.cpp is only ever handed files whose structure is sound.
 *
 * <p>Every problem is a {@link GgufException} whose message names the file and the problem:
 * missing or empty file, foreign or legacy format, unsupported version, truncation anywhere,
 * counts or lengths the file cannot hold (checked against the bytes that remain before anything
 * is allocated), unknown value or tensor types, bad shapes, misaligned, out-of-file or
 * overlapping tensor data. Files the GGUF format allows but the pinned llama.cpp rejects are
 * reported by {@link GgufFile#llamaCppIssues()}.
 *
 * <p>The file is memory-mapped in a confined {@link Arena} that lives exactly as long as one
 * {@link #read} call: parsing touches only the pages of the header, a multi-GB model costs address
 * space but no reads of its weights, and the mapping is unmapped deterministically when parsing
 * ends instead of whenever the garbage collector gets to it. Nothing of the mapping escapes; the
 * returned {@link GgufFile} holds heap copies of the metadata.
 */
public final class GgufReader {
    private GgufReader() {}

    /**
     * Most heap the decoded header of one file may take (estimated: strings count twice their
     * length plus an object, tensor infos a fixed cost). The largest vocabularies of the pin need
     * about 50 MiB.
     */
    public static final long DEFAULT_METADATA_LIMIT = 256L << 20;
    /** Longest single metadata string (llama.cpp allows 1 GiB; no real model comes near 64 MiB). */
    static final int MAX_STRING_BYTES = 64 << 20;
    /** GGUF keys are at most 65535 bytes (spec). */
    static final int MAX_KEY_BYTES = 65535;
    /** Deepest array nesting accepted; real files never nest at all. */
    static final int MAX_NESTING = 8;
    /** Largest alignment accepted. */
    static final int MAX_ALIGNMENT = 1 << 30;

    /** Smallest possible metadata entry: key length, a one-byte key, type, a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 1 + 4 + 1;
    /** Smallest possible tensor info: name length, a one-byte name, n_dims, one dim, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8;
    /** Heap estimate of one tensor info (record, name, dims, index entry). */
    private static final int TENSOR_INFO_COST = 256;
    /** Heap estimate per decoded String beyond its bytes. */
    private static final int STRING_OVERHEAD = 48;

    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int32
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Reads and validates {@code path}.
     *
     * @throws GgufException for any problem with the file, naming the file and the problem
     */
    public static GgufFile read(Path path) {
        return read(path, DEFAULT_METADATA_LIMIT);
    }

    static GgufFile read(Path path, long metadataLimit) {
        if (!Files.exists(path)) {
            throw GgufException.of(path, "no such file; pass the path of a .gguf model file");
        }
        if (Files.isDirectory(path)) {
            throw GgufException.of(path, "is a directory, not a GGUF model file");
        }
        if (!Files.isRegularFile(path)) {
            throw GgufException.of(path, "is not a regular file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size == 0) {
                throw GgufException.of(path, "empty file (0 bytes), not a GGUF model");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            try {
                return parse(path, seg, size, metadataLimit);
            } catch (InternalError e) {
                // The JVM turns SIGBUS on a mapped page into InternalError: the file shrank while mapped.
                throw new GgufException(path + ": the file changed while it was being read (" + e.getMessage() + ")", e);
            }
        } catch (AccessDeniedException e) {
            throw GgufException.of(path, "permission denied");
        } catch (IOException e) {
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a file's bytes held in memory, as {@link #read(Path)} parses a mapped file;
     * {@code name} only names it in messages. For the fuzz test.
     */
    static GgufFile parse(Path name, byte[] bytes) {
        if (bytes.length == 0) {
            throw GgufException.of(name, "empty file (0 bytes), not a GGUF model");
        }
        return parse(name, MemorySegment.ofArray(bytes), bytes.length, DEFAULT_METADATA_LIMIT);
    }

    private static GgufFile parse(Path path, MemorySegment seg, long size, long metadataLimit) {
        try {
            return new Parser(path, seg, size, metadataLimit).parse();
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            // Every check should have caught the problem first; never let it escape raw. The cause
            // marks this as a missed check (the fuzz test fails on it).
            throw new GgufException(path + ": malformed (unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /** One pass over the mapped file; not thread-safe, used once. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private final long size;
        private final long limit;
        private long budget;
        private long pos;
        /** What is being read, for messages ("the header", "metadata key 'x'", "tensor 'y'"). */
        private String where = "the header";
        /** Index of the array element being read, or -1. */
        private long element = -1;

        Parser(Path path, MemorySegment seg, long size, long budget) {
            this.path = path;
            this.seg = seg;
            this.size = size;
            this.limit = budget;
            this.budget = budget;
        }

        GgufFile parse() {
            int version = readHeaderVersion();
            where = "the tensor count";
            long nTensors = u64();
            where = "the metadata count";
            long nKv = u64();
            checkCounts(nTensors, nKv);

            SequencedMapBuilder metadata = new SequencedMapBuilder();
            for (long i = 0; i < nKv; i++) {
                readKeyValue(i, metadata);
            }
            int alignment = alignment(metadata.map);

            List<GgufTensor> tensors = new ArrayList<>();
            Map<String, Long> names = new HashMap<>();
            for (long i = 0; i < nTensors; i++) {
                tensors.add(readTensorInfo(i, names));
            }

            long dataOffset = pos;
            if (nTensors > 0) {
                dataOffset = GgufWriter.pad(pos, alignment);
                if (dataOffset > size) {
                    throw problem("truncated: the data section starts at byte " + dataOffset + " (after padding to " + alignment
                            + " bytes) but the file has " + size);
                }
            }
            checkTensorData(tensors, dataOffset, alignment);
            return new GgufFile(path, version, size, alignment, dataOffset, metadata.map, tensors);
        }

        // --- header --------------------------------------------------------------------------

        private int readHeaderVersion() {
            where = "the 4-byte GGUF magic";
            if (size < 4) {
                throw problem("truncated: " + size + " bytes is too short for a GGUF file (the header alone is 24 bytes)");
            }
            int magic = seg.get(I32, 0);
            if (magic != MAGIC) {
                throw problem(describeForeignMagic());
            }
            pos = 4;
            where = "the GGUF version";
            long version = u32();
            if (version == 0) {
                throw problem("GGUF version 0 is invalid");
            }
            if ((version & 0xFFFF) == 0) {
                throw problem("GGUF version 0x%08x looks byte-swapped: this is a big-endian GGUF file, which llama.cpp on a little-endian machine cannot load; convert it with gguf-py's gguf_convert_endian.py".formatted(version));
            }
            if (version == 1) {
                throw problem("GGUF version 1 is no longer supported by llama.cpp; re-convert the model with a current llama.cpp");
            }
            if (version > 3) {
                throw problem("GGUF version " + version + " is newer than this reader and the pinned llama.cpp support (versions 2 and 3)");
            }
            return (int) version;
        }

        private String describeForeignMagic() {
            byte[] head = seg.asSlice(0, Math.min(size, 4)).toArray(ValueLayout.JAVA_BYTE);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            return switch (text) {
                case "lmgg", "fmgg", "tjgg", "algg" -> "is a legacy GGML/GGJT model (magic '" + new StringBuilder(text).reverse()
                        + "'), the format llama.cpp used before GGUF; convert it with llama.cpp's convert_llama_ggml_to_gguf.py";
                case "FUGG" -> "not a GGUF file: magic 'FUGG' is 'GGUF' reversed; the file may be a big-endian GGUF written by a broken tool";
                default -> {
                    if (head[0] == 'P' && head[1] == 'K') {
                        yield "is a ZIP archive (a PyTorch checkpoint?), not GGUF; convert it with llama.cpp's convert_hf_to_gguf.py";
                    }
                    yield "not a GGUF file: it starts with " + printable(head) + ", expected 'GGUF'";
                }
            };
        }

        private static String printable(byte[] bytes) {
            StringBuilder hex = new StringBuilder();
            boolean allText = true;
            for (byte b : bytes) {
                hex.append(hex.isEmpty() ? "" : " ").append("%02x".formatted(b & 0xFF));
                allText &= b >= 0x20 && b < 0x7F;
            }
            return allText ? "'" + new String(bytes, StandardCharsets.ISO_8859_1) + "' (" + hex + ")" : "bytes " + hex;
        }

        private void checkCounts(long nTensors, long nKv) {
            long remaining = size - pos;
            if (nKv < 0 || nKv > remaining / MIN_KV_BYTES) {
                throw problem("the header claims " + Long.toUnsignedString(nKv) + " metadata entries, but the " + remaining
                        + " bytes after the header can hold at most " + remaining / MIN_KV_BYTES + " (truncated or corrupt file)");
            }
            long left = remaining - nKv * MIN_KV_BYTES;
            if (nTensors < 0 || nTensors > left / MIN_TENSOR_INFO_BYTES) {
                throw problem("the header claims " + Long.toUnsignedString(nTensors) + " tensors and " + nKv
                        + " metadata entries, but the " + remaining + " bytes after the header can hold at most "
                        + left / MIN_TENSOR_INFO_BYTES + " tensor infos besides those entries (truncated or corrupt file)");
            }
        }

        // --- metadata -------------------------------------------------------------------------

        /** A LinkedHashMap that also remembers each key's entry index, for duplicate messages. */
        private static final class SequencedMapBuilder {
            final LinkedHashMap<String, GgufValue> map = new LinkedHashMap<>();
            final Map<String, Long> index = new HashMap<>();
        }

        private void readKeyValue(long i, SequencedMapBuilder metadata) {
            where = "the key of metadata entry " + i;
            String key = string(MAX_KEY_BYTES);
            if (key.isEmpty()) {
                throw problem("metadata entry " + i + " has an empty key");
            }
            Long previous = metadata.index.putIfAbsent(key, i);
            if (previous != null) {
                throw problem("metadata key '" + GgufException.shown(key) + "' appears twice (entries " + previous + " and " + i + ")");
            }
            where = "metadata key '" + GgufException.shown(key) + "'";
            int typeId = i32();
            GgufType type = GgufType.fromId(typeId).orElseThrow(() -> problem(
                    where + " has unknown value type " + typeId + " (GGUF defines 0..12)"));
            charge(STRING_OVERHEAD + 2L * key.length());
            metadata.map.put(key, value(type, 0));
        }

        private GgufValue value(GgufType type, int depth) {
            return switch (type) {
                case UINT8 -> new GgufValue.Int(type, u8());
                case INT8 -> new GgufValue.Int(type, (byte) u8());
                case UINT16 -> new GgufValue.Int(type, i16() & 0xFFFF);
                case INT16 -> new GgufValue.Int(type, i16());
                case UINT32 -> new GgufValue.Int(type, u32());
                case INT32 -> new GgufValue.Int(type, i32());
                case UINT64, INT64 -> new GgufValue.Int(type, u64());
                case FLOAT32 -> new GgufValue.Real(type, Float.intBitsToFloat(i32()));
                case FLOAT64 -> new GgufValue.Real(type, Double.longBitsToDouble(u64()));
                case BOOL -> new GgufValue.Bool(u8() != 0); // as gguf.cpp: any non-zero byte is true
                case STRING -> {
                    String s = string(MAX_STRING_BYTES);
                    charge(STRING_OVERHEAD + 2L * s.length());
                    yield new GgufValue.Str(s);
                }
                case ARRAY -> array(depth + 1);
            };
        }

        private GgufValue.Array array(int depth) {
            if (depth > MAX_NESTING) {
                throw problem(where + " nests arrays deeper than " + MAX_NESTING + " levels");
            }
            int typeId = i32();
            GgufType type = GgufType.fromId(typeId).orElseThrow(() -> problem(
                    where + " is an array of unknown value type " + typeId + " (GGUF defines 0..12)"));
            long n = u64();
            long remaining = size - pos;
            long minBytes = type.isFixedSize() ? type.size() : type == GgufType.STRING ? 8 : 12;
            if (n < 0 || n > remaining / minBytes) {
                throw problem("truncated: " + where + " claims " + Long.toUnsignedString(n) + " elements of " + type.shortName()
                        + " (at least " + minBytes + " bytes each) but only " + remaining + " bytes remain in the file of " + size);
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw problem(where + " has " + n + " elements, more than this reader can hold");
            }
            int count = (int) n;
            if (type.isFixedSize()) {
                int bytes = Math.toIntExact(n * type.size());
                charge(bytes);
                byte[] data = seg.asSlice(pos, bytes).toArray(ValueLayout.JAVA_BYTE);
                pos += bytes;
                return new GgufValue.NumArray(type, data);
            }
            charge(8L * count);
            try {
                if (type == GgufType.STRING) {
                    List<String> strings = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        element = i;
                        String s = string(MAX_STRING_BYTES);
                        charge(STRING_OVERHEAD + 2L * s.length());
                        strings.add(s);
                    }
                    return new GgufValue.StrArray(strings);
                }
                List<GgufValue.Array> arrays = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    element = i;
                    arrays.add(array(depth + 1));
                }
                return new GgufValue.NestedArray(arrays);
            } finally {
                element = -1;
            }
        }

        private int alignment(Map<String, GgufValue> metadata) {
            GgufValue v = metadata.get(GgufKeys.ALIGNMENT);
            if (v == null) {
                return 32;
            }
            if (!(v instanceof GgufValue.Int i) || i.type() != GgufType.UINT32) {
                throw problem("metadata key '" + GgufKeys.ALIGNMENT + "' must be u32 but is " + typeName(v));
            }
            long a = i.value();
            if (a == 0 || Long.bitCount(a) != 1) {
                throw problem("metadata key '" + GgufKeys.ALIGNMENT + "' = " + a + " is not a power of two");
            }
            if (a > MAX_ALIGNMENT) {
                throw problem("metadata key '" + GgufKeys.ALIGNMENT + "' = " + a + " is larger than " + MAX_ALIGNMENT);
            }
            return (int) a;
        }

        private static String typeName(GgufValue v) {
            return v instanceof GgufValue.Array a ? "an array of " + a.elementType().shortName() : v.type().shortName();
        }

        // --- tensor infos ---------------------------------------------------------------------

        private GgufTensor readTensorInfo(long i, Map<String, Long> names) {
            where = "the name of tensor info " + i;
            String name = string(MAX_KEY_BYTES);
            charge(TENSOR_INFO_COST);
            if (name.isEmpty()) {
                throw problem("tensor info " + i + " has an empty name");
            }
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes > GgufTensor.MAX_NAME_BYTES) {
                throw problem("tensor name '" + GgufException.shown(name) + "' is " + nameBytes + " bytes long; llama.cpp allows at most " + GgufTensor.MAX_NAME_BYTES);
            }
            Long previous = names.putIfAbsent(name, i);
            if (previous != null) {
                throw problem("tensor name '" + name + "' appears twice (tensor infos " + previous + " and " + i + ")");
            }
            where = "tensor info '" + name + "'";
            long nDims = u32();
            if (nDims < 1 || nDims > GgufTensor.MAX_DIMS) {
                throw problem("tensor '" + name + "' has " + nDims + " dimensions; ggml supports 1 to " + GgufTensor.MAX_DIMS);
            }
            List<Long> dims = new ArrayList<>((int) nDims);
            long elements = 1;
            boolean overflow = false;
            for (int d = 0; d < nDims; d++) {
                long ne = u64();
                if (ne <= 0) {
                    throw problem("tensor '" + name + "' dimension " + d + " is " + Long.toUnsignedString(ne) + (ne == 0 ? "; each must be at least 1" : ", too large"));
                }
                dims.add(ne);
                long high = Math.multiplyHigh(elements, ne);
                elements *= ne;
                overflow |= high != 0 || elements < 0;
            }
            if (overflow) {
                throw problem("tensor '" + name + "' with shape " + dims + " has more than 2^63 elements");
            }
            int typeId = i32();
            Optional<GgmlType> known = GgmlType.fromId(typeId);
            if (known.isEmpty()) {
                String removed = GgmlType.removedTypeName(typeId).map(r -> " (" + r + "), which ggml has removed; re-quantize the model with a current llama.cpp")
                        .orElse(", which the pinned ggml does not define (it knows ids 0.." + (GgmlType.ID_LIMIT - 1) + "); the file may be corrupt or need a newer llama.cpp");
                throw problem("tensor '" + name + "' has ggml type " + typeId + removed);
            }
            GgmlType type = known.get();
            if (dims.getFirst() % type.blockSize() != 0) {
                throw problem("tensor '" + name + "' of type " + type.ggmlName() + " has rows of " + dims.getFirst()
                        + " elements, not a multiple of its block size " + type.blockSize());
            }
            long blocks = elements / type.blockSize();
            if (blocks > Long.MAX_VALUE / type.blockBytes()) {
                throw problem("tensor '" + name + "' with shape " + dims + " has a size in bytes beyond 2^63");
            }
            long offset = u64();
            if (offset < 0) {
                throw problem("tensor '" + name + "' has data offset " + Long.toUnsignedString(offset) + ", beyond any file");
            }
            return new GgufTensor(name, dims, type, offset);
        }

        private void checkTensorData(List<GgufTensor> tensors, long dataOffset, int alignment) {
            for (GgufTensor t : tensors) {
                if (t.offset() % alignment != 0) {
                    throw problem("tensor '" + t.name() + "' has data offset " + t.offset() + ", not a multiple of the alignment " + alignment);
                }
                long bytes = t.byteSize();
                if (t.offset() > size - dataOffset || bytes > size - dataOffset - t.offset()) {
                    String end = t.offset() > Long.MAX_VALUE - dataOffset - bytes ? "beyond 2^63" : Long.toString(dataOffset + t.offset() + bytes);
                    throw problem("truncated: tensor '" + t.name() + "' needs bytes " + (dataOffset + t.offset()) + ".." + end
                            + " but the file has " + size);
                }
            }
            List<GgufTensor> byOffset = new ArrayList<>(tensors);
            byOffset.sort(Comparator.comparingLong(GgufTensor::offset));
            for (int i = 1; i < byOffset.size(); i++) {
                GgufTensor a = byOffset.get(i - 1);
                GgufTensor b = byOffset.get(i);
                if (b.offset() < a.offset() + a.byteSize()) {
                    throw problem("tensors '" + a.name() + "' (data bytes " + a.offset() + ".." + (a.offset() + a.byteSize()) + ") and '"
                            + b.name() + "' (data bytes " + b.offset() + ".." + (b.offset() + b.byteSize()) + ") overlap");
                }
            }
        }

        // --- primitives -----------------------------------------------------------------------

        private void need(long n) {
            if (n > size - pos) {
                String what = element >= 0 ? where + " element " + element : where;
                throw problem("truncated: " + what + " needs bytes " + pos + ".." + (pos + n) + " but the file has " + size);
            }
        }

        private int u8() {
            need(1);
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        }

        private short i16() {
            need(2);
            short v = seg.get(I16, pos);
            pos += 2;
            return v;
        }

        private int i32() {
            need(4);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        private long u32() {
            return i32() & 0xFFFF_FFFFL;
        }

        /** A uint64 or int64; callers treat negative values as too large. */
        private long u64() {
            need(8);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        private String string(int maxBytes) {
            long len = u64();
            long remaining = size - pos;
            if (len < 0 || len > remaining) {
                String what = element >= 0 ? where + " element " + element : where;
                throw problem("truncated: " + what + " is a string of " + Long.toUnsignedString(len) + " bytes but only " + remaining
                        + " bytes remain in the file of " + size);
            }
            if (len > maxBytes) {
                throw problem(where + " is a string of " + len + " bytes, longer than the " + maxBytes + " this reader accepts");
            }
            byte[] bytes = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private void charge(long bytes) {
            budget -= bytes;
            if (budget < 0) {
                throw problem("the header needs more than " + limit + " bytes of memory to hold (at " + where
                        + "); refusing to read it");
            }
        }

        private GgufException problem(String message) {
            return GgufException.of(path, message);
        }
    }
}
