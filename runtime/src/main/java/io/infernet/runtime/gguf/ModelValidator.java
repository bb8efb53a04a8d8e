package io.infernet.runtime.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, in Java, what the pinned llama.cpp asserts about a structurally valid GGUF model (an
 * assert or an uncaught C++ exception ends the whole process), so that such a file is refused
 * with a message instead: hyperparameters in range ({@code GGML_ASSERT}s of
 * {@code llama_model_base::load_hparams}, the ggml ops of the graph), per-layer arrays, tensor
 * types the CPU kernels compute, per-layer tensor shapes for the llama-like families
 * ({@link TensorLayouts}: llama.cpp checks them against layer 0 only), data
 * alignment for the memory-mapped load, and the tokenizer ({@link VocabValidator}).
 *
 * <p>For architectures outside those families only the generic parts are checked; the child
 * process of {@code ModelProbe} decides the rest. Every problem names the key or tensor and what
 * was expected, e.g. {@code llama.block_count is 600 but llama.cpp supports at most 512 layers}.
 */
public final class ModelValidator {
    private ModelValidator() {}

    /** {@code LLAMA_MAX_LAYERS}. */
    public static final int MAX_LAYERS = 512;
    /** {@code LLAMA_MAX_EXPERTS}. */
    public static final int MAX_EXPERTS = 1024;
    /** ggml's {@code TENSOR_ALIGNMENT}: tensor data mapped from the file must start at a multiple of this. */
    static final int TENSOR_ALIGNMENT = 32;
    /** Most problems one message lists. */
    private static final int MAX_LISTED = 6;

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\..*");
    private static final Set<String> ROPE_SCALING_TYPES = Set.of("none", "linear", "yarn", "longrope");

    /**
     * Throws unless {@code file} passes {@link #problems}.
     *
     * @param vocabOnly only the tokenizer will be loaded (no weights needed)
     * @throws GgufException starting with the file name, listing the problems
     */
    public static void validate(GgufFile file, boolean vocabOnly) {
        List<String> problems = problems(file, vocabOnly);
        if (!problems.isEmpty()) {
            String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
            throw GgufException.of(file.path(), listed + (problems.size() > MAX_LISTED ? "; and " + (problems.size() - MAX_LISTED) + " more" : ""));
        }
    }

    /** Everything wrong with {@code file} for the pinned llama.cpp, each naming its key or tensor; empty if nothing is. */
    public static List<String> problems(GgufFile file, boolean vocabOnly) {
        List<String> out = new ArrayList<>(file.llamaCppIssues());
        Meta m = new Meta(file, out);
        Optional<String> arch = m.string(GgufKeys.ARCHITECTURE, true);
        if (arch.isEmpty()) {
            return out;
        }
        String a = arch.get();
        if (a.equals("clip")) {
            out.add("general.architecture is 'clip': a vision projector (mmproj) for another model, not a language model");
            return out;
        }
        if (!Architectures.KNOWN.contains(a)) {
            out.add("general.architecture is '" + a + "', which the pinned llama.cpp does not know");
            return out;
        }
        if (!vocabOnly) {
            if (file.tensors().isEmpty()) {
                out.add("the file has no tensors (a vocabulary only), not a model");
            } else {
                int before = out.size();
                Hparams hp = hyperparameters(m, a);
                tensorTypesAndPlaces(file, hp, out);
                if (hp != null && out.size() == before && (Architectures.LLAMA_LAYOUT.contains(a) || Architectures.BERT_LAYOUT.contains(a))) {
                    TensorLayouts.check(file, hp, m.vocabSize(), out);
                }
            }
        }
        VocabValidator.check(m, out);
        return out;
    }

    /** The hyperparameters the tensor checks need; null when they are too broken to go on. */
    record Hparams(String arch, int layers, long embd, long[] heads, long[] headsKv, long[] ff, long headK, long headV, long experts) {}

    private static Hparams hyperparameters(Meta m, String a) {
        List<String> out = m.problems;
        int start = out.size();
        String k = a + ".";
        long layers = m.integer(k + "block_count", true).orElse(-1L);
        if (layers != -1 && (layers < 1 || layers > MAX_LAYERS)) {
            out.add(k + "block_count is " + layers + (layers < 1 ? "; a model has at least 1 layer"
                    : " but llama.cpp supports at most " + MAX_LAYERS + " layers"));
            return null;
        }
        if (layers == -1) {
            return null;
        }
        int n = (int) layers;
        m.integer(k + "nextn_predict_layers", false).filter(v -> v > n).ifPresent(v ->
                out.add(k + "nextn_predict_layers is " + v + " but must not exceed block_count " + n));
        long embd = m.integer(k + "embedding_length", true).orElse(-1L);
        if (embd == 0) {
            out.add(k + "embedding_length is 0; it must be at least 1");
        }
        m.integer(k + "context_length", true).filter(v -> v <= 0).ifPresent(v ->
                out.add(k + "context_length is " + v + "; the model's training context must be at least 1 token"));
        long[] heads = m.perLayer(k + "attention.head_count", n, 0);
        long[] headsKv = m.has(k + "attention.head_count_kv") ? m.perLayer(k + "attention.head_count_kv", n, 0) : heads;
        long[] ff = m.perLayer(k + "feed_forward_length", n, 0);
        experts(m, k, n, a);
        positiveFinite(m, k + "rope.freq_base", "the RoPE frequency base");
        positiveFinite(m, k + "attention.layer_norm_rms_epsilon", "the RMS-norm epsilon");
        positiveFinite(m, k + "attention.layer_norm_epsilon", "the layer-norm epsilon");
        for (String key : List.of(k + "rope.scaling.factor", k + "rope.scale_linear")) {
            m.real(key).filter(v -> !Double.isFinite(v) || v < 0).ifPresent(v ->
                    out.add(key + " is " + v + "; it must be finite and at least 0 (0 = no scaling)"));
        }
        m.string(k + "rope.scaling.type", false).filter(t -> !ROPE_SCALING_TYPES.contains(t)).ifPresent(t ->
                out.add(k + "rope.scaling.type is '" + t + "'; llama.cpp knows none, linear, yarn and longrope"));
        long headK = 0;
        long headV = 0;
        long maxHeads = max(heads);
        if (maxHeads > 0 && embd > 0) {
            Optional<Long> keyLength = m.integer(k + "attention.key_length", false);
            Optional<Long> valueLength = m.integer(k + "attention.value_length", false);
            keyLength.filter(v -> v <= 0).ifPresent(v -> out.add(k + "attention.key_length is " + v + "; a head must have at least 1 element"));
            valueLength.filter(v -> v <= 0).ifPresent(v -> out.add(k + "attention.value_length is " + v + "; a head must have at least 1 element"));
            long h0 = heads[0] > 0 ? heads[0] : maxHeads; // llama.cpp derives the head size from n_head(0)
            if (keyLength.isEmpty() && embd % h0 != 0) {
                out.add(k + "attention.head_count " + h0 + " does not divide " + k + "embedding_length " + embd
                        + " (and there is no " + k + "attention.key_length)");
            }
            headK = keyLength.orElse(embd / h0);
            headV = valueLength.orElse(embd / h0);
            for (int il = 0; il < n; il++) {
                if (heads[il] == 0 && !Architectures.mayHaveHeadlessLayers(a)) {
                    out.add(k + "attention.head_count is 0 for layer " + il + "; every layer of a " + a + " model has attention heads");
                } else if (headsKv[il] > heads[il] || (headsKv[il] > 0 && heads[il] % headsKv[il] != 0)) {
                    out.add(k + "attention.head_count_kv is " + headsKv[il] + " for layer " + il + " but must divide its head_count " + heads[il]);
                } else if (headsKv[il] == 0 && heads[il] > 0 && !Architectures.mayHaveHeadlessLayers(a)) {
                    out.add(k + "attention.head_count_kv is 0 for layer " + il + " but the layer has " + heads[il] + " heads");
                }
            }
            long rotK = headK;
            m.integer(k + "rope.dimension_count", false).filter(r -> r < 0 || r > rotK || r % 2 != 0).ifPresent(r ->
                    out.add(k + "rope.dimension_count is " + r + " but must be even and at most the head size " + rotK));
        } else if (maxHeads == 0 && m.has(k + "attention.head_count") && !Architectures.mayHaveHeadlessLayers(a)) {
            out.add(k + "attention.head_count is 0; a " + a + " model has attention heads");
        }
        return out.size() == start && embd > 0 ? new Hparams(a, n, embd, heads, headsKv, ff, headK, headV,
                m.integer(k + "expert_count", false).orElse(0L)) : null;
    }

    /** The expert asserts of {@code load_hparams}. */
    private static void experts(Meta m, String k, int layers, String arch) {
        long experts = m.integer(k + "expert_count", false).orElse(0L);
        if ((arch.equals("hunyuan_vl") || arch.equals("hunyuan-dense")) && experts <= 1) {
            return; // llama.cpp turns experts off for these
        }
        long used = max(m.perLayer(k + "expert_used_count", layers, 0));
        long groups = m.integer(k + "expert_group_count", false).orElse(0L);
        long groupsUsed = m.integer(k + "expert_group_used_count", false).orElse(0L);
        List<String> out = m.problems;
        if (experts > MAX_EXPERTS) {
            out.add(k + "expert_count is " + experts + " but llama.cpp supports at most " + MAX_EXPERTS + " experts");
        } else if (used > experts) {
            out.add(k + "expert_used_count is " + used + " but " + k + "expert_count is " + experts + " (experts used must not exceed experts)");
        } else if (experts > 0) {
            if (used == 0) {
                out.add(k + "expert_count is " + experts + " but " + k + "expert_used_count is 0 or missing; a mixture of experts uses at least 1");
            }
            if (groups >= experts) {
                out.add(k + "expert_group_count is " + groups + " but must be below expert_count " + experts);
            } else if (groups > 1 && (experts % groups != 0 || groupsUsed <= 0 || groupsUsed >= groups)) {
                out.add(k + "expert_group_count " + groups + " must divide expert_count " + experts + ", and expert_group_used_count ("
                        + groupsUsed + ") must be between 1 and " + (groups - 1));
            }
        } else if (groups != 0) {
            out.add(k + "expert_group_count is " + groups + " in a model without experts");
        }
    }

    private static void positiveFinite(Meta m, String key, String what) {
        m.real(key).filter(v -> !(v > 0) || !Double.isFinite(v)).ifPresent(v ->
                m.problems.add(key + " is " + v + "; " + what + " must be finite and greater than 0"));
    }

    /** Types the CPU kernels compute, layer indices, and the alignment of mapped data. */
    private static void tensorTypesAndPlaces(GgufFile file, Hparams hp, List<String> out) {
        for (GgufTensor t : file.tensors()) {
            GgmlType type = t.type();
            if (type == GgmlType.I8 || type == GgmlType.I16 || type == GgmlType.I32 || type == GgmlType.I64) {
                out.add("tensor '" + t.name() + "' has integer type " + type.ggmlName() + "; model weights are float or quantized");
            } else if ((t.dims().size() == 1 || t.name().endsWith("norm.weight") || t.name().endsWith(".bias")) && type != GgmlType.F32) {
                out.add("tensor '" + t.name() + "' is " + type.ggmlName() + " but norms, biases and other vectors must be f32 "
                        + "(ggml adds and multiplies them only as f32)");
            }
            long at = file.dataOffset() + t.offset();
            if (at % TENSOR_ALIGNMENT != 0) {
                out.add("tensor '" + t.name() + "' starts at byte " + at + " of the file, not a multiple of " + TENSOR_ALIGNMENT
                        + " (ggml maps tensor data " + TENSOR_ALIGNMENT + "-byte aligned; general.alignment is " + file.alignment() + ")");
            }
            Matcher b = BLOCK.matcher(t.name());
            if (hp != null && b.matches() && (b.group(1).length() > 4 || Integer.parseInt(b.group(1)) >= hp.layers())) {
                out.add("tensor '" + t.name() + "' belongs to block " + b.group(1) + " but " + hp.arch() + ".block_count is " + hp.layers());
            }
        }
    }

    static long max(long[] values) {
        long max = 0;
        for (long v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
