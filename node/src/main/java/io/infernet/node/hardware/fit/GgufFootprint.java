package io.infernet.node.hardware.fit;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link ModelFootprint} from a GGUF file's header: the shape from its metadata, the
 * weight bytes as the size of its tensor data section (file size minus the aligned end of the
 * tensor infos: every tensor's real bytes, with alignment padding). Reads only the header, streaming;
 * arrays (the vocabulary) are skipped, not kept.
 *
 * <p>Interim: the runtime layer's full GGUF reader ({@code io.infernet.runtime.gguf}) is written in
 * parallel; once merged, callers should build the footprint from it and this class can go.
 * Supports GGUF versions 2 and 3 (64-bit lengths).
 */
public final class GgufFootprint {
    private GgufFootprint() {}

    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final long MAX_STRING = 1L << 24;

    /**
     * Reads {@code file}'s header.
     *
     * @throws IllegalArgumentException naming the file when it is missing, not GGUF, truncated, or lacks a shape key
     */
    public static ModelFootprint read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file; give the path of a .gguf model");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")");
        }
        try (InputStream raw = Files.newInputStream(file); Le in = new Le(new BufferedInputStream(raw, 1 << 16))) {
            if (in.u32() != MAGIC) {
                throw new IllegalArgumentException(file + ": not a GGUF file (no GGUF magic at its start)");
            }
            int version = in.u32();
            if (version < 2 || version > 3) {
                throw new IllegalArgumentException(file + ": GGUF version " + version + " is not supported (2 and 3 are)");
            }
            long tensorCount = in.u64();
            long kvCount = in.u64();
            Map<String, Object> kv = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = in.string();
                int type = in.u32();
                Object value = in.value(type, key);
                if (value != null) {
                    kv.put(key, value);
                }
            }
            for (long i = 0; i < tensorCount; i++) {
                in.string();
                int nDims = in.u32();
                if (nDims < 0 || nDims > 8) {
                    throw new IllegalArgumentException(file + ": tensor " + i + " has " + nDims + " dimensions; the file is damaged");
                }
                in.skip(8L * nDims + 4 + 8);
            }
            long alignment = number(kv, "general.alignment", file, 32);
            long dataStart = (in.position() + alignment - 1) / alignment * alignment;
            long weightBytes = size - dataStart;
            String arch = (String) kv.get("general.architecture");
            if (arch == null) {
                throw new IllegalArgumentException(file + ": has no general.architecture key");
            }
            int nLayer = (int) number(kv, arch + ".block_count", file, -1);
            int nEmbd = (int) number(kv, arch + ".embedding_length", file, -1);
            int nHead = (int) number(kv, arch + ".attention.head_count", file, -1);
            int nHeadKv = (int) number(kv, arch + ".attention.head_count_kv", file, nHead);
            int headDim = (int) number(kv, arch + ".attention.key_length", file, nHead > 0 ? nEmbd / nHead : -1);
            int nCtxTrain = (int) number(kv, arch + ".context_length", file, -1);
            if (weightBytes <= 0) {
                throw new IllegalArgumentException(file + ": has no tensor data (a vocabulary-only GGUF?); give a model file");
            }
            String name = kv.get("general.name") instanceof String s && !s.isBlank() ? s : file.getFileName().toString();
            return new ModelFootprint(name, weightBytes, nLayer, nEmbd, nHeadKv, headDim, nCtxTrain);
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + ": ends inside its header; the file is truncated");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** A numeric metadata value; arrays (per-layer head counts) give their largest element. */
    private static long number(Map<String, Object> kv, String key, Path file, long fallback) {
        Object v = kv.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof long[] arr && arr.length > 0) {
            long max = arr[0];
            for (long x : arr) {
                max = Math.max(max, x);
            }
            return max;
        }
        if (fallback < 0) {
            throw new IllegalArgumentException(file + ": has no " + key + " key; cannot size its KV cache");
        }
        return fallback;
    }

    /** Little-endian reads over a stream, counting the position. */
    private static final class Le implements AutoCloseable {
        private final InputStream in;
        private long pos;

        Le(InputStream in) {
            this.in = in;
        }

        long position() {
            return pos;
        }

        private int byte1() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            pos++;
            return b;
        }

        int u32() throws IOException {
            return byte1() | byte1() << 8 | byte1() << 16 | byte1() << 24;
        }

        long u64() throws IOException {
            return (u32() & 0xFFFFFFFFL) | ((long) u32()) << 32;
        }

        void skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long k = in.skip(left);
                if (k > 0) {
                    left -= k;
                    pos += k;
                } else {
                    byte1(); // advances pos, or throws at the end of the file
                    left--;
                }
            }
        }

        String string() throws IOException {
            long len = u64();
            if (len < 0 || len > MAX_STRING) {
                throw new IOException("string length " + len + " out of range");
            }
            byte[] b = in.readNBytes((int) len);
            if (b.length != len) {
                throw new EOFException();
            }
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        /** Reads a value of GGUF type {@code type}; keeps scalars and integer arrays, skips other arrays (returns null). */
        Object value(int type, String key) throws IOException {
            return switch (type) {
                case 0, 1 -> (long) (type == 0 ? byte1() : (byte) byte1());
                case 2, 3 -> {
                    int v = byte1() | byte1() << 8;
                    yield (long) (type == 2 ? v : (short) v);
                }
                case 4 -> u32() & 0xFFFFFFFFL;
                case 5 -> (long) u32();
                case 6 -> (double) Float.intBitsToFloat(u32());
                case 7 -> byte1() != 0;
                case 8 -> string();
                case 9 -> array(key);
                case 10, 11 -> u64();
                case 12 -> Double.longBitsToDouble(u64());
                default -> throw new IOException("unknown metadata type " + type + " for key " + key);
            };
        }

        private Object array(String key) throws IOException {
            int elemType = u32();
            long n = u64();
            if (n < 0) {
                throw new IOException("negative array length for key " + key);
            }
            boolean keep = (elemType == 4 || elemType == 5) && n <= 4096;
            long[] kept = keep ? new long[(int) n] : null;
            for (long i = 0; i < n; i++) {
                switch (elemType) {
                    case 0, 1, 7 -> skip(1);
                    case 2, 3 -> skip(2);
                    case 4, 5, 6 -> {
                        int v = u32();
                        if (keep) {
                            kept[(int) i] = elemType == 4 ? v & 0xFFFFFFFFL : v;
                        }
                    }
                    case 10, 11, 12 -> skip(8);
                    case 8 -> {
                        long len = u64();
                        if (len < 0 || len > MAX_STRING) {
                            throw new IOException("string length " + len + " out of range in array " + key);
                        }
                        skip(len);
                    }
                    default -> throw new IOException("unsupported array element type " + elemType + " for key " + key);
                }
            }
            return kept;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
