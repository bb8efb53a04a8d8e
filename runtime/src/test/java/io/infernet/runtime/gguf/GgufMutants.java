package io.infernet.runtime.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Broken variants of a small generated model, for the corpus test: bit flips in the header and
 * metadata, truncations, absurd counts, tensor dimensions, types and offsets edited in place, and
 * semantic edits of every hyperparameter and tokenizer key the validator checks, rewritten as
 * well-formed files. Deterministic for a seed.
 */
public final class GgufMutants {
    private GgufMutants() {}

    /** One mutant: a short name saying what was changed, and the file's bytes. */
    public record Mutant(String name, byte[] bytes) {}

    /** The base models: small llama models with a SentencePiece and a BPE vocabulary. */
    public static SynthSpec spmBase() {
        return new SynthSpec("mutant-spm", 64, 2, 4, 2, 128, 256, 10000f, 1e-5f, GgmlType.Q8_0, 7, "llama-spm@512");
    }

    public static SynthSpec bpeBase() {
        return new SynthSpec("mutant-bpe", 64, 2, 4, 2, 128, 256, 10000f, 1e-5f, GgmlType.Q8_0, 7, "gpt-2@1024");
    }

    /** Writes {@code spec}'s model in {@code dir} and returns its bytes. */
    public static byte[] base(SynthSpec spec, Path dir) {
        try {
            Path file = dir.resolve(spec.name() + ".gguf");
            ModelSynth.write(spec, file, GgufWriter.WriteProgress.NONE);
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * All mutants of the two bases: about {@code flips} random header bit flips plus the listed
     * edits (several hundred files of a few hundred KB each).
     */
    public static List<Mutant> all(byte[] spm, byte[] bpe, Path scratch, int flips, long seed) {
        List<Mutant> out = new ArrayList<>();
        Model m = new Model(spm, scratch);
        bitFlips(m, flips, seed, out);
        truncations(m, out);
        counts(m, out);
        tensorInfos(m, out);
        semantic(m, out);
        tokenizer(m, new Model(bpe, scratch), out);
        return out;
    }

    // --- byte-level edits ------------------------------------------------------------------

    private static void bitFlips(Model m, int n, long seed, List<Mutant> out) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int pos = i < n / 4 ? rng.nextInt(24) : rng.nextInt((int) m.info.dataOffset());
            int bit = rng.nextInt(8);
            byte[] b = m.bytes.clone();
            b[pos] ^= (byte) (1 << bit);
            out.add(new Mutant("flip byte " + pos + " bit " + bit, b));
        }
    }

    private static void truncations(Model m, List<Mutant> out) {
        long size = m.bytes.length;
        long d = m.info.dataOffset();
        long[] cuts = {0, 3, 4, 8, 16, 23, 24, 100, d / 2, d - 1, d, d + 1, d + 1000, size / 2, size - 33, size - 1};
        for (long cut : cuts) {
            out.add(new Mutant("truncate at " + cut, java.util.Arrays.copyOf(m.bytes, (int) cut)));
        }
        byte[] longer = java.util.Arrays.copyOf(m.bytes, m.bytes.length + 4096);
        out.add(new Mutant("4096 trailing bytes", longer));
    }

    private static void counts(Model m, List<Mutant> out) {
        for (long v : new long[] {0, 1, 2, 1L << 31, Long.MAX_VALUE, -1}) {
            out.add(new Mutant("tensor count " + v, patchLong(m.bytes, 8, v)));
            out.add(new Mutant("metadata count " + v, patchLong(m.bytes, 16, v)));
        }
        long tensors = m.info.tensors().size();
        out.add(new Mutant("tensor count - 1", patchLong(m.bytes, 8, tensors - 1)));
        out.add(new Mutant("tensor count + 1", patchLong(m.bytes, 8, tensors + 1)));
        for (String key : List.of(GgufKeys.TOKENS, GgufKeys.SCORES, GgufKeys.TOKEN_TYPE)) {
            int len = m.keyValue(key) + 4; // array: element type, then the length
            long n = ((GgufValue.Array) m.info.metadata().get(key)).size();
            for (long v : new long[] {0, n - 1, n + 1, 1L << 40, -1}) {
                out.add(new Mutant(key + " length " + v, patchLong(m.bytes, len, v)));
            }
        }
        int nameLen = m.keyValue(GgufKeys.NAME);
        for (long v : new long[] {0, 1L << 40, -1}) {
            out.add(new Mutant("general.name string length " + v, patchLong(m.bytes, nameLen, v)));
        }
        int firstToken = m.keyValue(GgufKeys.TOKENS) + 12;
        out.add(new Mutant("first token string length 2^33", patchLong(m.bytes, firstToken, 1L << 33)));
    }

    private static void tensorInfos(Model m, List<Mutant> out) {
        for (String t : List.of("token_embd.weight", "blk.0.attn_q.weight", "blk.1.attn_k.weight", "blk.0.ffn_down.weight",
                "output_norm.weight", "output.weight")) {
            int nDims = m.tensorInfo(t);
            GgufTensor info = m.info.tensor(t).orElseThrow();
            int dims = nDims + 4;
            int type = dims + 8 * info.dims().size();
            int offset = type + 4;
            for (int nd : new int[] {0, 3, 5}) {
                out.add(new Mutant(t + " n_dims " + nd, patchInt(m.bytes, nDims, nd)));
            }
            long d0 = info.dims().getFirst();
            for (long v : new long[] {0, d0 / 2, d0 * 2, d0 + 32, 1L << 40, -1}) {
                out.add(new Mutant(t + " dim 0 = " + v, patchLong(m.bytes, dims, v)));
            }
            if (info.dims().size() > 1) {
                long d1 = info.dims().get(1);
                for (long v : new long[] {1, d1 - 1, d1 + 1, d1 * 2}) {
                    out.add(new Mutant(t + " dim 1 = " + v, patchLong(m.bytes, dims + 8, v)));
                }
            }
            for (int ty : new int[] {0, 1, 2, 4, 12, 16, 24, 26, 30, 39, 43, -1}) {
                out.add(new Mutant(t + " type " + ty, patchInt(m.bytes, type, ty)));
            }
            for (long v : new long[] {info.offset() + 32, info.offset() + 1, 0, 1L << 40, -32}) {
                out.add(new Mutant(t + " offset " + v, patchLong(m.bytes, offset, v)));
            }
        }
    }

    // --- semantic edits (well-formed files) --------------------------------------------------

    private static void semantic(Model m, List<Mutant> out) {
        String a = "llama.";
        SequencedMap<String, List<GgufValue>> edits = new LinkedHashMap<>();
        edits.put(a + "block_count", List.of(u32(0), u32(1), u32(3), u32(513), u32(600), u32(0xFFFF_FFFFL), GgufValue.string("2"),
                GgufValue.f32(2f), GgufValue.NumArray.ofLongs(GgufType.UINT32, 2, 2)));
        edits.put(a + "embedding_length", List.of(u32(0), u32(32), u32(63), u32(128), u32(1L << 31)));
        edits.put(a + "attention.head_count", List.of(u32(0), u32(3), u32(5), u32(64), u32(128), u32(1L << 31),
                arr(4, 4), arr(4), arr(4, 4, 4), arr(0, 4), arr(3, 4), arr(4, 8)));
        edits.put(a + "attention.head_count_kv", List.of(u32(0), u32(3), u32(8), u32(5), u32(64), arr(2, 2), arr(2), arr(0, 2),
                arr(2, 3), arr(4, 1)));
        edits.put(a + "feed_forward_length", List.of(u32(0), u32(1), u32(64), u32(256), u32(1L << 30), arr(128, 128), arr(128),
                arr(128, 0)));
        edits.put(a + "context_length", List.of(u32(0), u32(1), u32(0xFFFF_FFFFL)));
        edits.put(a + "rope.freq_base", floats(0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, 1e38f));
        edits.put(a + "rope.dimension_count", List.of(u32(0), u32(1), u32(3), u32(8), u32(32), u32(1000)));
        edits.put(a + "rope.scaling.type", List.of(GgufValue.string("none"), GgufValue.string("linear"), GgufValue.string("yarn"),
                GgufValue.string("longrope"), GgufValue.string("bogus"), GgufValue.string("")));
        edits.put(a + "rope.scaling.factor", floats(0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, 4f));
        edits.put(a + "attention.layer_norm_rms_epsilon", floats(0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, 1e30f));
        edits.put(a + "attention.key_length", List.of(u32(0), u32(8), u32(15), u32(32), u32(1000)));
        edits.put(a + "attention.value_length", List.of(u32(0), u32(8), u32(15), u32(32), u32(1000)));
        edits.put(a + "vocab_size", List.of(u32(0), u32(1), u32(511), u32(513), u32(1L << 31)));
        edits.put(a + "expert_count", List.of(u32(1), u32(2), u32(8), u32(2000)));
        edits.put(a + "expert_used_count", List.of(u32(1), u32(2), u32(3)));
        edits.put(a + "expert_group_count", List.of(u32(1), u32(2)));
        edits.put(a + "nextn_predict_layers", List.of(u32(1), u32(3)));
        edits.put(a + "attention.sliding_window", List.of(u32(0), u32(1)));
        edits.put(a + "pooling_type", List.of(u32(0), u32(1), u32(2), u32(3), u32(4), u32(5), u32(99)));
        edits.put(a + "attention.causal", List.of(GgufValue.bool(false)));
        edits.put(GgufKeys.ALIGNMENT, List.of(u32(1), u32(8), u32(64)));
        edits.put(GgufKeys.ARCHITECTURE, List.of(GgufValue.string("qwen2"), GgufValue.string("qwen3"), GgufValue.string("gemma"),
                GgufValue.string("gemma2"), GgufValue.string("gemma3"), GgufValue.string("phi3"), GgufValue.string("mistral3"),
                GgufValue.string("granite"), GgufValue.string("bert"), GgufValue.string("nomic-bert"), GgufValue.string("mamba"),
                GgufValue.string("t5"), GgufValue.string("bogus"), GgufValue.string("")));
        edits.forEach((key, values) -> {
            for (GgufValue v : values) {
                out.add(m.rewrite(key + " = " + v.display(), meta -> meta.put(key, v), UnaryOperator.identity()));
            }
        });
        // edits together: expert counts without expert tensors, a consistent but foreign architecture
        out.add(m.rewrite("expert_count 4, expert_used_count 2", meta -> {
            meta.put(a + "expert_count", u32(4));
            meta.put(a + "expert_used_count", u32(2));
        }, UnaryOperator.identity()));
        out.add(m.rewrite("expert_used_count 2 without expert_count", meta -> meta.put(a + "expert_used_count", u32(2)),
                UnaryOperator.identity()));
        for (String key : List.of(a + "block_count", a + "embedding_length", a + "attention.head_count", a + "context_length",
                a + "attention.layer_norm_rms_epsilon", a + "feed_forward_length", GgufKeys.ARCHITECTURE)) {
            out.add(m.rewrite("without " + key, meta -> meta.remove(key), UnaryOperator.identity()));
        }
        // tensors
        for (String t : List.of("output_norm.weight", "blk.1.ffn_down.weight", "blk.0.attn_norm.weight", "token_embd.weight",
                "output.weight", "blk.1.attn_v.weight")) {
            out.add(m.rewrite("without tensor " + t, meta -> { }, ts -> ts.stream().filter(x -> !x.name().equals(t)).toList()));
        }
        out.add(m.rewrite("an extra tensor", meta -> { }, ts -> {
            List<GgufWriter.Tensor> more = new ArrayList<>(ts);
            more.add(Model.zeros("blk.9.bogus.weight", List.of(64L), GgmlType.F32));
            return more;
        }));
        out.add(m.rewrite("blk.0.attn_k transposed", meta -> { }, ts -> replace(ts, "blk.0.attn_k.weight", List.of(32L, 64L), null)));
        out.add(m.rewrite("token_embd with 511 rows", meta -> { }, ts -> replace(ts, "token_embd.weight", List.of(64L, 511L), null)));
        out.add(m.rewrite("output_norm as q8_0", meta -> { }, ts -> replace(ts, "output_norm.weight", null, GgmlType.Q8_0)));
        out.add(m.rewrite("blk.0.attn_q as i32", meta -> { }, ts -> replace(ts, "blk.0.attn_q.weight", null, GgmlType.I32)));
        out.add(m.rewrite("output as f16", meta -> { }, ts -> replace(ts, "output.weight", null, GgmlType.F16)));
        out.add(m.rewrite("output_norm as f16", meta -> { }, ts -> replace(ts, "output_norm.weight", null, GgmlType.F16)));
        for (String arch : List.of("qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi3", "mistral3", "granite", "bert", "nomic-bert",
                "mamba", "t5", "gpt2", "deci", "jamba", "llama4")) {
            out.add(m.rewrite("as architecture " + arch + " (keys renamed)", meta -> {
                SequencedMap<String, GgufValue> renamed = new LinkedHashMap<>();
                meta.forEach((key, v) -> renamed.put(key.startsWith(a) ? arch + "." + key.substring(a.length()) : key, v));
                renamed.put(GgufKeys.ARCHITECTURE, GgufValue.string(arch));
                meta.clear();
                meta.putAll(renamed);
            }, UnaryOperator.identity()));
        }
        out.add(m.rewrite("blk.0.ffn_up as q4_K with 256-wide rows", meta -> { },
                ts -> replace(ts, "blk.0.ffn_up.weight", List.of(256L, 32L), GgmlType.Q4_K)));
    }

    private static void tokenizer(Model spm, Model bpe, List<Mutant> out) {
        int n = ((GgufValue.Array) spm.info.metadata().get(GgufKeys.TOKENS)).size();
        for (String model : List.of("gpt2", "bert", "t5", "rwkv", "none", "no_vocab", "plamo2", "gemma4", "bogus", "")) {
            out.add(spm.rewrite("spm vocab as " + model, meta -> meta.put(GgufKeys.TOKENIZER_MODEL, GgufValue.string(model)), UnaryOperator.identity()));
        }
        for (String model : List.of("llama", "bert", "t5", "rwkv", "plamo2")) {
            out.add(bpe.rewrite("bpe vocab as " + model, meta -> meta.put(GgufKeys.TOKENIZER_MODEL, GgufValue.string(model)), UnaryOperator.identity()));
        }
        out.add(bpe.rewrite("bpe vocab without merges", meta -> meta.remove(GgufKeys.MERGES), UnaryOperator.identity()));
        out.add(bpe.rewrite("bpe merges of numbers", meta -> meta.put(GgufKeys.MERGES, GgufValue.NumArray.ofInts(1, 2)), UnaryOperator.identity()));
        out.add(bpe.rewrite("bpe merges without spaces", meta -> meta.put(GgufKeys.MERGES, GgufValue.strings(List.of("ab", "", " ", "x y z"))),
                UnaryOperator.identity()));
        for (String pre : List.of("bogus", "qwen2", "llama3", "")) {
            out.add(bpe.rewrite("bpe pre-tokenizer " + pre, meta -> meta.put(GgufKeys.TOKENIZER_PRE, GgufValue.string(pre)), UnaryOperator.identity()));
        }
        out.add(spm.rewrite("spm pre-tokenizer bogus", meta -> meta.put(GgufKeys.TOKENIZER_PRE, GgufValue.string("bogus")), UnaryOperator.identity()));
        List<String> tokens = ((GgufValue.StrArray) spm.info.metadata().get(GgufKeys.TOKENS)).values();
        out.add(spm.rewrite("no tokens", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(List.of())), UnaryOperator.identity()));
        out.add(spm.rewrite("without tokens", meta -> meta.remove(GgufKeys.TOKENS), UnaryOperator.identity()));
        out.add(spm.rewrite("tokens as numbers", meta -> meta.put(GgufKeys.TOKENS, GgufValue.NumArray.ofInts(new int[n])), UnaryOperator.identity()));
        out.add(spm.rewrite("a duplicate token", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(set(tokens, 300, tokens.get(301)))),
                UnaryOperator.identity()));
        out.add(spm.rewrite("an empty token", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(set(tokens, 300, ""))), UnaryOperator.identity()));
        out.add(spm.rewrite("an empty token and its placeholder", meta -> meta.put(GgufKeys.TOKENS,
                GgufValue.strings(set(set(tokens, 300, ""), 301, "[EMPTY_300]"))), UnaryOperator.identity()));
        out.add(spm.rewrite("without byte token <0x0A>", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(set(tokens, 3 + 10, "newline"))),
                UnaryOperator.identity()));
        out.add(spm.rewrite("without byte token <0x41>", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(set(tokens, 3 + 0x41, "capital-a"))),
                UnaryOperator.identity()));
        out.add(spm.rewrite("one token fewer", meta -> meta.put(GgufKeys.TOKENS, GgufValue.strings(tokens.subList(0, n - 1))), UnaryOperator.identity()));
        out.add(spm.rewrite("scores one short", meta -> meta.put(GgufKeys.SCORES, GgufValue.NumArray.ofFloats(new float[n - 1])), UnaryOperator.identity()));
        out.add(spm.rewrite("scores as i32", meta -> meta.put(GgufKeys.SCORES, GgufValue.NumArray.ofInts(new int[n])), UnaryOperator.identity()));
        out.add(spm.rewrite("scores as u8", meta -> meta.put(GgufKeys.SCORES, GgufValue.NumArray.ofLongs(GgufType.UINT8, new long[n])), UnaryOperator.identity()));
        out.add(spm.rewrite("scores NaN", meta -> {
            float[] s = new float[n];
            java.util.Arrays.fill(s, Float.NaN);
            meta.put(GgufKeys.SCORES, GgufValue.NumArray.ofFloats(s));
        }, UnaryOperator.identity()));
        out.add(spm.rewrite("token types one short", meta -> meta.put(GgufKeys.TOKEN_TYPE, GgufValue.NumArray.ofInts(new int[n - 1])), UnaryOperator.identity()));
        out.add(spm.rewrite("token types as u32", meta -> meta.put(GgufKeys.TOKEN_TYPE, GgufValue.NumArray.ofLongs(GgufType.UINT32, new long[n])),
                UnaryOperator.identity()));
        for (int type : new int[] {0, 2, 3, 4, 5, 6, 7, 99, -1}) {
            int[] types = new int[n];
            java.util.Arrays.fill(types, type);
            out.add(spm.rewrite("all token types " + type, meta -> meta.put(GgufKeys.TOKEN_TYPE, GgufValue.NumArray.ofInts(types)), UnaryOperator.identity()));
            out.add(bpe.rewrite("all bpe token types " + type, meta -> meta.put(GgufKeys.TOKEN_TYPE,
                    GgufValue.NumArray.ofInts(filled(((GgufValue.Array) bpe.info.metadata().get(GgufKeys.TOKENS)).size(), type))), UnaryOperator.identity()));
        }
        for (String id : List.of("bos", "eos", "unknown", "seperator", "padding", "eot", "eom", "mask", "cls")) {
            String key = "tokenizer.ggml." + id + "_token_id";
            for (GgufValue v : List.of(u32(n), u32(1L << 31), u32(0xFFFF_FFFFL), GgufValue.i32(-1), GgufValue.string("1"))) {
                out.add(spm.rewrite(key + " = " + v.display(), meta -> meta.put(key, v), UnaryOperator.identity()));
            }
        }
        out.add(spm.rewrite("add_bos_token as u32", meta -> meta.put("tokenizer.ggml.add_bos_token", u32(1)), UnaryOperator.identity()));
        out.add(spm.rewrite("add_bos without a bos token", meta -> {
            meta.put("tokenizer.ggml.bos_token_id", GgufValue.i32(-1));
            meta.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        }, UnaryOperator.identity()));
        out.add(spm.rewrite("a chat template of garbage", meta -> meta.put(GgufKeys.CHAT_TEMPLATE, GgufValue.string("{% for %}{{ x")),
                UnaryOperator.identity()));
        out.add(spm.rewrite("precompiled_charsmap on spm", meta -> meta.put("tokenizer.ggml.precompiled_charsmap",
                GgufValue.NumArray.ofLongs(GgufType.UINT8, 1, 2)), UnaryOperator.identity()));
        out.add(spm.rewrite("t5 with a short charsmap", meta -> {
            meta.put(GgufKeys.TOKENIZER_MODEL, GgufValue.string("t5"));
            meta.put("tokenizer.ggml.precompiled_charsmap", GgufValue.NumArray.ofLongs(GgufType.UINT8, 255, 255, 0, 0, 1));
        }, UnaryOperator.identity()));
    }

    // --- helpers ---------------------------------------------------------------------------

    private static GgufValue.Int u32(long v) {
        return GgufValue.u32(v);
    }

    private static GgufValue.NumArray arr(long... v) {
        return GgufValue.NumArray.ofLongs(GgufType.UINT32, v);
    }

    private static List<GgufValue> floats(float... v) {
        List<GgufValue> out = new ArrayList<>();
        for (float f : v) {
            out.add(GgufValue.f32(f));
        }
        return out;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static List<String> set(List<String> list, int i, String v) {
        List<String> copy = new ArrayList<>(list);
        copy.set(i, v);
        return copy;
    }

    private static List<GgufWriter.Tensor> replace(List<GgufWriter.Tensor> ts, String name, List<Long> dims, GgmlType type) {
        List<GgufWriter.Tensor> out = new ArrayList<>();
        for (GgufWriter.Tensor t : ts) {
            out.add(!t.name().equals(name) ? t : Model.zeros(name, dims != null ? dims : t.dims(), type != null ? type : t.type()));
        }
        return out;
    }

    /**
     * Writes {@code base} (whose bytes are {@code bytes}) to {@code out} with edited metadata and
     * tensors (tensors keep their data unless the edit replaces them).
     */
    public static Path rewrite(GgufFile base, byte[] bytes, Path out, Consumer<SequencedMap<String, GgufValue>> meta,
                               UnaryOperator<List<GgufWriter.Tensor>> tensors) {
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>(base.metadata());
        meta.accept(m);
        List<GgufWriter.Tensor> ts = new ArrayList<>();
        for (GgufTensor t : base.tensors()) {
            int from = (int) (base.dataOffset() + t.offset());
            int len = (int) t.byteSize();
            ts.add(new GgufWriter.Tensor(t.name(), t.dims(), t.type(), sink -> sink.write(ByteBuffer.wrap(bytes, from, len))));
        }
        return GgufWriter.write(out, m, tensors.apply(ts), GgufWriter.WriteProgress.NONE).path();
    }

    static byte[] patchInt(byte[] b, int at, int v) {
        byte[] out = b.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return out;
    }

    static byte[] patchLong(byte[] b, int at, long v) {
        byte[] out = b.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return out;
    }

    /** A base model: its bytes, what they hold, and where its keys and tensor infos are. */
    private static final class Model {
        final byte[] bytes;
        final GgufFile info;
        final Path scratch;
        private int written;

        Model(byte[] bytes, Path scratch) {
            this.bytes = bytes;
            this.scratch = scratch;
            try {
                Path f = Files.write(scratch.resolve("base-" + System.identityHashCode(this) + ".gguf"), bytes);
                this.info = GgufReader.read(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Offset of a key's value (after its key string and type). */
        int keyValue(String key) {
            return find(bytes, key, 24) + key.length() + 4;
        }

        /** Offset of a tensor info's n_dims field. */
        int tensorInfo(String name) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            int at = 24;
            while (true) {
                at = find(bytes, name, at);
                // a tensor info's name is preceded by its length and followed by n_dims (1..4)
                long len = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(at - 8);
                int nd = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(at + n.length);
                if (len == n.length && nd >= 1 && nd <= 4) {
                    return at + n.length;
                }
                at++;
            }
        }

        /** The model rewritten with edited metadata and tensors. */
        Mutant rewrite(String name, Consumer<SequencedMap<String, GgufValue>> meta,
                       UnaryOperator<List<GgufWriter.Tensor>> tensors) {
            try {
                Path f = GgufMutants.rewrite(info, bytes, scratch.resolve("rewrite-" + written++ + ".gguf"), meta, tensors);
                byte[] b = Files.readAllBytes(f);
                Files.delete(f);
                return new Mutant(name, b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A tensor of zero bytes (zero weights are valid in every type). */
        static GgufWriter.Tensor zeros(String name, List<Long> dims, GgmlType type) {
            long elements = dims.stream().reduce(1L, (x, y) -> x * y);
            long n = type.bytes(elements);
            return new GgufWriter.Tensor(name, dims, type, sink -> sink.write(ByteBuffer.allocate((int) n)));
        }

        private static int find(byte[] hay, String needle, int from) {
            return TestBytes.indexOf(hay, needle, from);
        }
    }
}
