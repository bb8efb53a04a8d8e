package io.infernet.runtime.gguf;

import java.util.Set;

/**
 * The architecture names the pinned llama.cpp knows ({@code LLM_ARCH_NAMES} in
 * {@code src/llama-arch.cpp}), and the families whose tensors {@link ModelValidator} knows in
 * detail. A test reads the pin's source to keep this list exact.
 */
public final class Architectures {
    private Architectures() {}

    /** Every {@code general.architecture} the pin loads, {@code (unknown)} excepted. */
    public static final Set<String> KNOWN = Set.of(
            "clip", "llama", "llama4", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder", "refact",
            "bert", "modern-bert", "nomic-bert", "nomic-bert-moe", "neo-bert", "jina-bert-v2", "jina-bert-v3", "eurobert", "bloom",
            "stablelm", "qwen", "qwen2", "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3next", "qwen3vl", "qwen3vlmoe", "qwen35",
            "qwen35moe", "qwen4exp", "phi2", "phi3", "phimoe", "plamo", "plamo2", "plamo3", "codeshell", "orion", "internlm2",
            "minicpm", "minicpm3", "gemma", "gemma2", "gemma3", "gemma3n", "gemma4", "gemma4-assistant", "gemma-embedding",
            "starcoder2", "mamba", "mamba2", "maple", "jamba", "falcon-h1", "xverse", "command-r", "cohere2", "cohere2moe", "dbrx",
            "olmo", "olmo2", "olmoe", "muse-glimmer", "openelm", "arctic", "deepseek", "deepseek2", "deepseek2-ocr", "deepseek32",
            "deepseek4", "chatglm", "glm4", "glm4moe", "glm-dsa", "bitnet", "t5", "t5encoder", "jais", "jais2", "nemotron",
            "nemotron_h", "nemotron_h_moe", "exaone", "exaone4", "exaone-moe", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "granite",
            "granitemoe", "granitehybrid", "graniteswitch", "granite_swa", "chameleon", "wavtokenizer-dec", "plm", "bailingmoe",
            "bailingmoe2", "bailingmoe3", "dots1", "dots3note", "arcee", "afmoe", "laguna", "ernie4_5", "ernie4_5-moe",
            "hunyuan-moe", "hunyuan-dense", "hunyuan_vl", "hy_v3", "hy_v4", "smollm3", "gpt-oss", "lfm2", "lfm2moe", "dream",
            "smallthinker", "llada", "llada-moe", "seed_oss", "grovemoe", "apertus", "minimax-01", "hrm_text", "minimax-m2",
            "minimax-m3", "cogvlm", "rnd1", "pangu-embedded", "mistral3", "eagle3", "dflash", "mistral4", "paddleocr", "mimo2",
            "step35", "spark2_5", "llama-embed", "maincoder", "kimi-linear", "kimi-k3", "talkie", "mellum", "nanbeige", "qwen3tts",
            "pockettts");

    /**
     * Decoder-only transformers laid out as llama is (token embedding; per block a norm, Q/K/V
     * or a fused QKV, an output projection, a norm and a gated or plain feed-forward; a final
     * norm; an optional output matrix), whose core tensors {@link ModelValidator} checks shape
     * by shape, per layer.
     */
    static final Set<String> LLAMA_LAYOUT = Set.of("llama", "mistral3", "granite", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "phi3");

    /** Encoders laid out as BERT: token embedding and its norm; per block Q/K/V, output, two post-norms, feed-forward. */
    static final Set<String> BERT_LAYOUT = Set.of("bert", "nomic-bert");

    /** These have Q and attention-output widths of {@code n_embd}, not {@code head_k * n_head}. */
    static final Set<String> EMBD_WIDE_Q = Set.of("qwen2", "phi3");

    /** Per-head RMS norms on Q and K ({@code attn_q_norm}, {@code attn_k_norm}). */
    static final Set<String> QK_NORM = Set.of("qwen3", "gemma3");

    /** Norms after attention and feed-forward ({@code post_attention_norm}, {@code post_ffw_norm}). */
    static final Set<String> POST_NORMS = Set.of("gemma2", "gemma3");

    /** Recurrent or hybrid models, some of whose layers have no attention heads. */
    static boolean mayHaveHeadlessLayers(String arch) {
        return arch.startsWith("mamba") || arch.startsWith("rwkv") || arch.equals("arwkv7") || arch.equals("jamba")
                || arch.equals("falcon-h1") || arch.equals("granitehybrid") || arch.startsWith("nemotron_h") || arch.startsWith("lfm2")
                || arch.equals("plamo2") || arch.equals("qwen3next") || arch.startsWith("qwen35") || arch.equals("kimi-linear")
                || arch.equals("deci") || arch.equals("gemma3n") || arch.equals("maple") || arch.equals("wavtokenizer-dec");
    }
}
