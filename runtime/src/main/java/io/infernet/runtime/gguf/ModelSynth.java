package io.infernet.runtime.gguf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Builds llama-architecture GGUF models with seeded random weights and a real tokenizer, in the
 * layout llama.cpp's {@code llama} architecture loads ({@code src/models/llama.cpp}):
 * {@code token_embd.weight [n_embd, n_vocab]}, per block {@code attn_norm}, {@code attn_q},
 * {@code attn_k}, {@code attn_v}, {@code attn_output}, {@code ffn_norm}, {@code ffn_gate},
 * {@code ffn_up}, {@code ffn_down}, then {@code output_norm} and {@code output [n_embd, n_vocab]}.
 * Norm weights are F32 ones; every matrix is random in the spec's weight type, scaled as
 * {@link #weightStd} says so that activations stay finite and greedy output keeps changing. The same spec (seed included) and vocabulary always give the same
 * bytes.
 *
 * <p>The output is meaningless text: the models exist to exercise loading, batching, scheduling
 * and throughput, which do not depend on weight values.
 */
public final class ModelSynth {
    private ModelSynth() {}

    /** Bumped whenever the bytes written for a given spec change. */
    public static final int VERSION = 1;

    /** {@code llama_ftype} for the file's weight type ({@code LLAMA_FTYPE_*} in {@code llama.h}). */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException("no file type for " + type);
        };
    }

    /** The file {@link #write} would produce for {@code spec} at {@code out}, without writing it. */
    public static GgufFile plan(SynthSpec spec, Path out) {
        SynthVocab vocab = SynthVocab.load(spec.vocab());
        return GgufWriter.layout(out, metadata(spec, vocab), tensors(spec, vocab.size()));
    }

    /**
     * Writes the model to {@code out} (atomically: complete or not at all) and returns it.
     *
     * @throws GgufException if the vocabulary cannot be read or the file cannot be written
     */
    public static GgufFile write(SynthSpec spec, Path out, GgufWriter.WriteProgress progress) {
        SynthVocab vocab = SynthVocab.load(spec.vocab());
        return GgufWriter.write(out, metadata(spec, vocab), tensors(spec, vocab.size()), progress);
    }

    static SequencedMap<String, GgufValue> metadata(SynthSpec spec, SynthVocab vocab) {
        String arch = "llama";
        SequencedMap<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufKeys.ARCHITECTURE, GgufValue.string(arch));
        m.put(GgufKeys.NAME, GgufValue.string("infernet-synth " + spec.name() + " (random weights)"));
        m.put(GgufKeys.DESCRIPTION, GgufValue.string("Random weights (seed " + spec.seed() + ", infernet model synth v" + VERSION
                + "): a real model's shape, meaningless output. For tests and benchmarks only."));
        m.put(GgufKeys.FILE_TYPE, GgufValue.u32(fileType(spec.weightType())));
        if (spec.weightType().isQuantized()) {
            m.put(GgufKeys.QUANTIZATION_VERSION, GgufValue.u32(2)); // GGML_QNT_VERSION
        }
        m.put(GgufKeys.arch(arch, GgufKeys.VOCAB_SIZE), GgufValue.u32(vocab.size()));
        m.put(GgufKeys.arch(arch, GgufKeys.CONTEXT_LENGTH), GgufValue.u32(spec.contextLength()));
        m.put(GgufKeys.arch(arch, GgufKeys.EMBEDDING_LENGTH), GgufValue.u32(spec.embeddingLength()));
        m.put(GgufKeys.arch(arch, GgufKeys.BLOCK_COUNT), GgufValue.u32(spec.layers()));
        m.put(GgufKeys.arch(arch, GgufKeys.FEED_FORWARD_LENGTH), GgufValue.u32(spec.feedForwardLength()));
        m.put(GgufKeys.arch(arch, GgufKeys.HEAD_COUNT), GgufValue.u32(spec.heads()));
        m.put(GgufKeys.arch(arch, GgufKeys.HEAD_COUNT_KV), GgufValue.u32(spec.headsKv()));
        m.put(GgufKeys.arch(arch, GgufKeys.ROPE_FREQ_BASE), GgufValue.f32(spec.ropeTheta()));
        m.put(GgufKeys.arch(arch, GgufKeys.RMS_EPS), GgufValue.f32(spec.rmsEps()));
        m.put(GgufKeys.arch(arch, GgufKeys.ROPE_DIMENSION_COUNT), GgufValue.u32(spec.headDim()));
        if (spec.poolingType() > 0) {
            m.put(GgufKeys.arch(arch, GgufKeys.POOLING_TYPE), GgufValue.u32(spec.poolingType()));
        }
        m.put("infernet.synth.version", GgufValue.u32(VERSION));
        m.put("infernet.synth.seed", GgufValue.u64(spec.seed()));
        m.put("infernet.synth.vocab", GgufValue.string(vocab.source()));
        m.putAll(vocab.tokenizer());
        return m;
    }

    static List<GgufWriter.Tensor> tensors(SynthSpec spec, int vocabSize) {
        long embd = spec.embeddingLength();
        long kv = (long) spec.headsKv() * spec.headDim();
        long ff = spec.feedForwardLength();
        List<GgufWriter.Tensor> out = new ArrayList<>(3 + 9 * spec.layers());
        out.add(matrix(spec, "token_embd.weight", embd, vocabSize));
        for (int i = 0; i < spec.layers(); i++) {
            String b = "blk." + i + ".";
            out.add(norm(b + "attn_norm.weight", embd));
            out.add(matrix(spec, b + "attn_q.weight", embd, embd));
            out.add(matrix(spec, b + "attn_k.weight", embd, kv));
            out.add(matrix(spec, b + "attn_v.weight", embd, kv));
            out.add(matrix(spec, b + "attn_output.weight", embd, embd));
            out.add(norm(b + "ffn_norm.weight", embd));
            out.add(matrix(spec, b + "ffn_gate.weight", embd, ff));
            out.add(matrix(spec, b + "ffn_up.weight", embd, ff));
            out.add(matrix(spec, b + "ffn_down.weight", ff, embd));
        }
        out.add(norm("output_norm.weight", embd));
        out.add(matrix(spec, "output.weight", embd, vocabSize));
        return out;
    }

    /** A {@code [cols, rows]} matrix (ggml order: the row length first). */
    private static GgufWriter.Tensor matrix(SynthSpec spec, String name, long cols, long rows) {
        long seed = SynthWeights.tensorSeed(spec.seed(), name);
        return new GgufWriter.Tensor(name, List.of(cols, rows), spec.weightType(),
                SynthWeights.random(spec.weightType(), cols * rows, seed, weightStd(spec, name, cols)));
    }

    /**
     * Standard deviation of a weight matrix with rows of {@code cols} elements: the token
     * embedding 1; every other matrix {@code 1/sqrt(cols)}, so each projection keeps the scale of
     * its normalized input; the two that write into the residual stream ({@code attn_output},
     * {@code ffn_down}) a further {@code 1/sqrt(2 * n_layer)}, as GPT-2 initialises them, so the
     * residual stays near the embedding's scale at any depth. Measured with greedy decoding over
     * 300 tokens (llama.cpp, 512-1024 dim, 8-32 layers, Q8_0/Q4_0, several seeds): 280-300
     * distinct tokens, logits within +-5; a flat 0.02 for everything drifted into repeating one to
     * a few tokens within 50 tokens at 8 layers.
     */
    static double weightStd(SynthSpec spec, String name, long cols) {
        if (name.equals("token_embd.weight")) {
            return 1.0;
        }
        double std = 1.0 / Math.sqrt(cols);
        if (name.endsWith(".attn_output.weight") || name.endsWith(".ffn_down.weight")) {
            std /= Math.sqrt(2.0 * spec.layers());
        }
        return std;
    }

    private static GgufWriter.Tensor norm(String name, long n) {
        return new GgufWriter.Tensor(name, List.of(n), GgmlType.F32, SynthWeights.constantF32(n, 1.0f));
    }
}
