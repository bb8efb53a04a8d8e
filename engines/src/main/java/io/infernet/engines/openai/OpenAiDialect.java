package io.infernet.engines.openai;

/**
 * The OpenAI-compatible servers this client speaks to, and where their wire differs.
 *
 * <p>Sampling fields each one honours, as {@link OpenAiRequests} sends them:
 * <pre>
 * field              vLLM                              llama-server (pinned release)
 * temperature        temperature                       temperature
 * topK (0 = off)     top_k, off sent as -1             top_k, off sent as 0
 * topP               top_p                             top_p
 * minP               min_p                             min_p
 * repeatPenalty      repetition_penalty (whole         repeat_penalty
 *                    sequence: penaltyLastN has no
 *                    counterpart and is not sent)
 * penaltyLastN       -                                 repeat_last_n (-1 sent as 131072,
 *                                                      "every token" for contexts up to 128k;
 *                                                      the server refuses -1)
 * frequencyPenalty   frequency_penalty                 frequency_penalty
 * presencePenalty    presence_penalty                  presence_penalty
 * logitBias          logit_bias {"id": bias}, clamped  logit_bias {"id": bias}, -infinity sent
 *                    by vLLM to [-100, 100]; -infinity as false (a ban)
 *                    sent as -100
 * seed               seed (64-bit)                     seed, low 32 bits (the server reads a
 *                                                      uint32; 0xFFFFFFFF, its "random", is
 *                                                      sent as 0xFFFFFFFE)
 * maxTokens          max_tokens                        max_tokens
 * stop               stop                              stop
 * </pre>
 * Every field is always sent, "off" values included, because both servers have defaults of
 * their own (llama-server: top_k 40, top_p 0.95, min_p 0.05; vLLM: the model's
 * generation_config.json) that would otherwise apply silently.
 */
public enum OpenAiDialect {
    VLLM("vllm", "vLLM server", 8000),
    LLAMACPP("llamacpp", "llama.cpp server", 8080);

    private final String kind;
    private final String label;
    private final int defaultPort;

    OpenAiDialect(String kind, String label, int defaultPort) {
        this.kind = kind;
        this.label = label;
        this.defaultPort = defaultPort;
    }

    /** The engine kind: {@code vllm} or {@code llamacpp}. */
    public String kind() {
        return kind;
    }

    /** For messages: "vLLM server", "llama.cpp server". */
    public String label() {
        return label;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public static OpenAiDialect ofKind(String kind) {
        for (OpenAiDialect d : values()) {
            if (d.kind.equals(kind)) {
                return d;
            }
        }
        throw new IllegalArgumentException("no OpenAI-compatible engine kind '" + kind + "'; use vllm or llamacpp");
    }
}
