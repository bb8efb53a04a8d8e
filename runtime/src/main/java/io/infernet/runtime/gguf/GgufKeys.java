package io.infernet.runtime.gguf;

/**
 * Metadata keys llama.cpp reads ({@code LLM_KV_NAMES} in {@code src/llama-arch.cpp}). Keys with
 * {@code %s} are per architecture: {@link #arch(String, String)} fills it in.
 */
public final class GgufKeys {
    private GgufKeys() {}

    public static final String ARCHITECTURE = "general.architecture";
    public static final String NAME = "general.name";
    public static final String DESCRIPTION = "general.description";
    public static final String ALIGNMENT = "general.alignment";
    public static final String FILE_TYPE = "general.file_type";
    public static final String QUANTIZATION_VERSION = "general.quantization_version";

    public static final String VOCAB_SIZE = "%s.vocab_size";
    /** {@code <arch>.pooling_type}: 0 none, 1 mean, 2 cls, 3 last, 4 rank (embedding models). */
    public static final String POOLING_TYPE = "%s.pooling_type";
    public static final String CONTEXT_LENGTH = "%s.context_length";
    public static final String EMBEDDING_LENGTH = "%s.embedding_length";
    public static final String BLOCK_COUNT = "%s.block_count";
    public static final String FEED_FORWARD_LENGTH = "%s.feed_forward_length";
    public static final String HEAD_COUNT = "%s.attention.head_count";
    public static final String HEAD_COUNT_KV = "%s.attention.head_count_kv";
    public static final String KEY_LENGTH = "%s.attention.key_length";
    public static final String VALUE_LENGTH = "%s.attention.value_length";
    public static final String RMS_EPS = "%s.attention.layer_norm_rms_epsilon";
    public static final String ROPE_FREQ_BASE = "%s.rope.freq_base";
    public static final String ROPE_DIMENSION_COUNT = "%s.rope.dimension_count";
    public static final String ROPE_SCALING_TYPE = "%s.rope.scaling.type";
    public static final String ROPE_SCALING_FACTOR = "%s.rope.scaling.factor";
    public static final String ROPE_SCALE_LINEAR = "%s.rope.scale_linear";
    public static final String NORM_EPS = "%s.attention.layer_norm_epsilon";
    public static final String EXPERT_COUNT = "%s.expert_count";
    public static final String EXPERT_USED_COUNT = "%s.expert_used_count";
    public static final String EXPERT_GROUP_COUNT = "%s.expert_group_count";
    public static final String EXPERT_GROUP_USED_COUNT = "%s.expert_group_used_count";
    public static final String NEXTN_PREDICT_LAYERS = "%s.nextn_predict_layers";
    public static final String SLIDING_WINDOW = "%s.attention.sliding_window";

    /** Prefix of every tokenizer key ({@code tokenizer.ggml.*}, {@code tokenizer.chat_template}). */
    public static final String TOKENIZER_PREFIX = "tokenizer.";
    public static final String TOKENIZER_MODEL = "tokenizer.ggml.model";
    public static final String TOKENIZER_PRE = "tokenizer.ggml.pre";
    public static final String TOKENS = "tokenizer.ggml.tokens";
    public static final String SCORES = "tokenizer.ggml.scores";
    public static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String MERGES = "tokenizer.ggml.merges";
    public static final String CHAT_TEMPLATE = "tokenizer.chat_template";

    /** {@code arch("llama", EMBEDDING_LENGTH)} is {@code llama.embedding_length}. */
    public static String arch(String architecture, String key) {
        return key.formatted(architecture);
    }
}
