package io.infernet.runtime.gguf;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Model shapes for tests and the benchmark tiers. The large ones copy the shapes of public
 * models, but the vocabulary comes from the tokenizer file (32000 tokens for the default
 * {@code llama-spm}) and {@code output.weight} is never tied to the embedding, so parameter counts
 * differ slightly from the real models (Llama-3.2-1B has 128256 tokens and tied embeddings).
 */
public enum SynthPreset {
    /** 64 dim, 2 layers, F32: about 17 MB with the 32k vocabulary. For fast native tests. */
    TINY("tiny", "a minimal model for fast tests", 64, 2, 4, 4, 128, 2048, 10000f, 1e-5f, GgmlType.F32),
    /** 512 dim, 8 layers, Q8_0: about 63 MB. The built-in demo model ({@link DemoModel}). */
    DEMO("demo", "the built-in demo model", 512, 8, 8, 8, 1408, 4096, 10000f, 1e-5f, GgmlType.Q8_0),
    /** Llama-3.2-1B's shape (grouped-query attention, 8 KV heads). */
    L1B("1b", "the shape of Llama-3.2-1B", 2048, 16, 32, 8, 8192, 131072, 500000f, 1e-5f, GgmlType.Q4_0),
    /** Llama-2-7B's shape. */
    L7B("7b", "the shape of Llama-2-7B", 4096, 32, 32, 32, 11008, 4096, 10000f, 1e-5f, GgmlType.Q4_0),
    /** Llama-2-13B's shape. */
    L13B("13b", "the shape of Llama-2-13B", 5120, 40, 40, 40, 13824, 4096, 10000f, 1e-5f, GgmlType.Q4_0),
    /** LLaMA-33B's shape. */
    L33B("33b", "the shape of LLaMA-33B", 6656, 60, 52, 52, 17920, 2048, 10000f, 1e-6f, GgmlType.Q4_0),
    /** Llama-2-70B's shape (grouped-query attention, 8 KV heads). */
    L70B("70b", "the shape of Llama-2-70B", 8192, 80, 64, 8, 28672, 4096, 10000f, 1e-5f, GgmlType.Q4_0);

    private final String id;
    private final String description;
    private final SynthSpec spec;

    SynthPreset(String id, String description, int dim, int layers, int heads, int headsKv, int ff, int ctx, float theta,
                float eps, GgmlType type) {
        this.id = id;
        this.description = description;
        this.spec = new SynthSpec(id, dim, layers, heads, headsKv, ff, ctx, theta, eps, type, SynthSpec.DEFAULT_SEED,
                SynthSpec.DEFAULT_VOCAB);
    }

    /** The name on the command line ({@code tiny}, {@code demo}, {@code 7b}, ...). */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** The preset's spec with the default seed and vocabulary. */
    public SynthSpec spec() {
        return spec;
    }

    public static Optional<SynthPreset> fromId(String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    /** {@code tiny, demo, 1b, ...} for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(SynthPreset::id).collect(Collectors.joining(", "));
    }
}
