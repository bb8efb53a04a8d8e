package io.infernet.runtime.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Writes GGUF version 3 files: metadata of every type, tensor infos, then tensor data streamed
 * tensor by tensor from {@link TensorData} sources, each padded to the alignment
 * ({@code general.alignment}, default 32), as gguf.cpp and gguf-py lay files out. Memory use is
 * the header plus one buffer, whatever the size of the model.
 *
 * <p>The file appears under its name only when complete: it is written to a temporary file in the
 * same folder, forced to disk and renamed into place, so an interrupted write never leaves a
 * truncated model behind.
 */
public final class GgufWriter {
    private GgufWriter() {}

    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int BUFFER_BYTES = 4 << 20;

    /** Produces a tensor's data. */
    @FunctionalInterface
    public interface TensorData {
        /**
         * Writes exactly the tensor's {@link GgufTensor#byteSize()} bytes to {@code sink}, in
         * order, in any number of calls. Called once, on the writing thread.
         */
        void writeTo(ByteSink sink) throws IOException;
    }

    /** Receives tensor data; copies what it is given before returning. */
    @FunctionalInterface
    public interface ByteSink {
        /** Consumes all remaining bytes of {@code src}. */
        void write(ByteBuffer src) throws IOException;
    }

    /** Told how far a write has come; called on the writing thread after each buffer reaches the file. */
    @FunctionalInterface
    public interface WriteProgress {
        void written(long bytes, long totalBytes);

        WriteProgress NONE = (bytes, total) -> {};
    }

    /** A tensor to write: its info (the offset is assigned by the writer) and its data. */
    public record Tensor(String name, List<Long> dims, GgmlType type, TensorData data) {
        public Tensor {
            Objects.requireNonNull(data, "data");
            dims = List.copyOf(dims);
            new GgufTensor(name, dims, type, 0); // validates name, shape and type
        }

        public long byteSize() {
            return new GgufTensor(name, dims, type, 0).byteSize();
        }
    }

    /** {@code x} rounded up to a multiple of {@code alignment} (a power of two). */
    public static long pad(long x, int alignment) {
        return (x + alignment - 1) & -(long) alignment;
    }

    /**
     * The file {@link #write} would produce, without writing anything: header, data offset,
     * tensor offsets, total size.
     *
     * @throws IllegalArgumentException for invalid metadata (empty or duplicate keys, a bad
     *                                  {@code general.alignment}) or duplicate tensor names
     */
    public static GgufFile layout(Path path, SequencedMap<String, GgufValue> metadata, List<Tensor> tensors) {
        return plan(path, metadata, tensors).file;
    }

    /**
     * Writes the file and returns what was written.
     *
     * @throws GgufException if the file cannot be written (the message names it)
     */
    public static GgufFile write(Path path, SequencedMap<String, GgufValue> metadata, List<Tensor> tensors, WriteProgress progress) {
        Plan plan = plan(path, metadata, tensors);
        Path target = path.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            // not Files.createTempFile: its owner-only permissions would stay on the model file
            Path candidate = target.resolveSibling("." + target.getFileName() + "." + Long.toUnsignedString(System.nanoTime(), 36) + ".tmp");
            FileChannel channel = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            tmp = candidate; // ours to delete from here on
            try (FileChannel ch = channel) {
                Output out = new Output(ch, plan.file.fileSize(), progress);
                out.write(ByteBuffer.wrap(plan.header));
                out.zeros(plan.file.dataOffset() - plan.header.length);
                for (int i = 0; i < tensors.size(); i++) {
                    GgufTensor info = plan.file.tensors().get(i);
                    out.tensor(info, tensors.get(i).data());
                    out.zeros(pad(info.byteSize(), plan.file.alignment()) - info.byteSize());
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            return plan.file;
        } catch (IOException e) {
            throw new GgufException(path + ": cannot write: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover hidden temporary file is harmless
                }
            }
        }
    }

    // --- layout ---------------------------------------------------------------------------

    private record Plan(byte[] header, GgufFile file) {}

    private static Plan plan(Path path, SequencedMap<String, GgufValue> metadata, List<Tensor> tensors) {
        int alignment = alignment(metadata);
        Header h = new Header();
        h.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        h.i32(3);
        h.i64(tensors.size());
        h.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            String key = e.getKey();
            if (key == null || key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > GgufReader.MAX_KEY_BYTES) {
                throw new IllegalArgumentException("metadata key '" + key + "' must have 1 to " + GgufReader.MAX_KEY_BYTES + " UTF-8 bytes");
            }
            h.string(key);
            GgufValue v = Objects.requireNonNull(e.getValue(), () -> "value of metadata key '" + key + "'");
            h.i32(v.type().id());
            h.value(v);
        }
        List<GgufTensor> infos = new ArrayList<>(tensors.size());
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Tensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' appears twice");
            }
            GgufTensor info = new GgufTensor(t.name(), t.dims(), t.type(), offset);
            infos.add(info);
            h.string(info.name());
            h.i32(info.dims().size());
            for (long d : info.dims()) {
                h.i64(d);
            }
            h.i32(info.type().id());
            h.i64(offset);
            offset += pad(info.byteSize(), alignment);
        }
        byte[] header = h.toArray();
        long dataOffset = tensors.isEmpty() ? header.length : pad(header.length, alignment);
        GgufFile file = new GgufFile(path, 3, dataOffset + offset, alignment, dataOffset, metadata, infos);
        return new Plan(header, file);
    }

    private static int alignment(Map<String, GgufValue> metadata) {
        GgufValue v = metadata.get(GgufKeys.ALIGNMENT);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (v instanceof GgufValue.Int i && i.type() == GgufType.UINT32 && Long.bitCount(i.value()) == 1
                && i.value() <= GgufReader.MAX_ALIGNMENT) {
            return (int) i.value();
        }
        throw new IllegalArgumentException(GgufKeys.ALIGNMENT + " must be a u32 power of two up to " + GgufReader.MAX_ALIGNMENT + ", not " + v);
    }

    /** The header being built, little-endian. */
    private static final class Header {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private ByteBuffer room(int n) {
            if (buf.remaining() < n) {
                long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
                if (want > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("GGUF header beyond 2 GiB");
                }
                ByteBuffer bigger = ByteBuffer.allocate((int) want).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return buf;
        }

        void bytes(byte[] b) {
            room(b.length).put(b);
        }

        void i32(int v) {
            room(4).putInt(v);
        }

        void i64(long v) {
            room(8).putLong(v);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            bytes(b);
        }

        void value(GgufValue v) {
            switch (v) {
                case GgufValue.Int i -> {
                    switch (i.type().size()) {
                        case 1 -> room(1).put((byte) i.value());
                        case 2 -> room(2).putShort((short) i.value());
                        case 4 -> i32((int) i.value());
                        default -> i64(i.value());
                    }
                }
                case GgufValue.Real r -> {
                    if (r.type() == GgufType.FLOAT32) {
                        room(4).putFloat((float) r.value());
                    } else {
                        room(8).putDouble(r.value());
                    }
                }
                case GgufValue.Bool b -> room(1).put((byte) (b.value() ? 1 : 0));
                case GgufValue.Str s -> string(s.value());
                case GgufValue.Array a -> {
                    i32(a.elementType().id());
                    i64(a.size());
                    switch (a) {
                        case GgufValue.NumArray n -> bytes(n.rawData());
                        case GgufValue.StrArray s -> s.values().forEach(this::string);
                        case GgufValue.NestedArray n -> n.values().forEach(this::value);
                    }
                }
            }
        }

        byte[] toArray() {
            byte[] out = new byte[buf.position()];
            buf.get(0, out);
            return out;
        }
    }

    // --- output ---------------------------------------------------------------------------

    /** Buffered, counting output to the channel; reports progress after each buffer. */
    private static final class Output {
        private final FileChannel ch;
        private final long total;
        private final WriteProgress progress;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        private long written;

        Output(FileChannel ch, long total, WriteProgress progress) {
            this.ch = ch;
            this.total = total;
            this.progress = Objects.requireNonNull(progress, "progress");
        }

        void write(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buf.remaining(), src.remaining());
                buf.put(buf.position(), src, src.position(), n);
                buf.position(buf.position() + n);
                src.position(src.position() + n);
            }
        }

        void zeros(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                if (!buf.hasRemaining()) {
                    flush();
                }
                buf.put((byte) 0);
            }
        }

        void tensor(GgufTensor info, TensorData data) throws IOException {
            long expected = info.byteSize();
            long[] got = {0};
            data.writeTo(src -> {
                if (src.remaining() > expected - got[0]) {
                    throw new IllegalStateException("data of tensor '" + info.name() + "' exceeds its " + expected + " bytes");
                }
                got[0] += src.remaining();
                write(src);
            });
            if (got[0] != expected) {
                throw new IllegalStateException("data of tensor '" + info.name() + "' has " + got[0] + " bytes, expected " + expected);
            }
        }

        void flush() throws IOException {
            if (buf.position() == 0) {
                return;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                written += ch.write(buf);
            }
            buf.clear();
            progress.written(written, total);
        }
    }
}
