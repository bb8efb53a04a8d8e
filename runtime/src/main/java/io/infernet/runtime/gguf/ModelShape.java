package io.infernet.runtime.gguf;

/**
 * What sizing decisions need to know about a transformer model, read from its GGUF metadata and
 * tensor infos without touching the weights.
 *
 * @param architecture      {@code general.architecture}, e.g. {@code llama}
 * @param parameterCount    elements of all tensors
 * @param weightBytes       bytes of all tensor data (what loading the weights costs), padding excluded
 * @param layers            transformer blocks ({@code n_layer})
 * @param embeddingLength   width of the residual stream ({@code n_embd})
 * @param heads             attention heads ({@code n_head}; the largest layer's for per-layer arrays)
 * @param headsKv           key/value heads ({@code n_head_kv}); equal to {@code heads} without GQA
 * @param headDim           elements per head ({@code n_embd_head_k})
 * @param feedForwardLength width of the feed-forward layer ({@code n_ff})
 * @param contextLength     context length the model was trained with ({@code n_ctx_train}), tokens
 * @param vocabSize         tokens in the vocabulary
 */
public record ModelShape(String architecture, long parameterCount, long weightBytes, int layers, int embeddingLength,
                         int heads, int headsKv, int headDim, int feedForwardLength, long contextLength, int vocabSize) {

    public ModelShape {
        if (parameterCount < 0 || weightBytes < 0 || layers <= 0 || embeddingLength <= 0 || heads <= 0 || headsKv <= 0
                || headDim <= 0 || feedForwardLength < 0 || contextLength <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("implausible model shape: " + describe(architecture, parameterCount, weightBytes,
                    layers, embeddingLength, heads, headsKv, headDim, feedForwardLength, contextLength, vocabSize));
        }
    }

    /**
     * Reads the shape of {@code file}.
     *
     * @throws GgufException if a hyperparameter is missing or implausible
     */
    public static ModelShape of(GgufFile file) {
        try {
            return new ModelShape(file.architecture(), file.parameterCount(), file.tensorBytes(), file.blockCount(),
                    file.embeddingLength(), file.headCount(), file.headCountKv(), file.headDim(), file.feedForwardLength(),
                    file.contextLength(), file.vocabSize());
        } catch (IllegalArgumentException e) {
            throw GgufException.of(file.path(), e.getMessage());
        }
    }

    /**
     * KV-cache bytes per token of context across all layers: keys and values of every KV head,
     * at {@code bytesPerElement} (2 for an F16 cache). Assumes values are as wide as keys, which
     * holds for llama-like models.
     */
    public long kvCacheBytesPerToken(int bytesPerElement) {
        return 2L * layers * headsKv * headDim * bytesPerElement;
    }

    /** Bytes per weight on average, e.g. about 0.56 for Q4_0. */
    public double bytesPerParameter() {
        return parameterCount == 0 ? 0 : (double) weightBytes / parameterCount;
    }

    @Override
    public String toString() {
        return describe(architecture, parameterCount, weightBytes, layers, embeddingLength, heads, headsKv, headDim,
                feedForwardLength, contextLength, vocabSize);
    }

    private static String describe(String arch, long params, long bytes, int layers, int embd, int heads, int headsKv,
                                   int headDim, int ff, long ctx, int vocab) {
        return "%s: %,d parameters, %,d bytes of weights, n_layer %d, n_embd %d, n_head %d, n_head_kv %d, head_dim %d, n_ff %d, n_ctx_train %d, n_vocab %d"
                .formatted(arch, params, bytes, layers, embd, heads, headsKv, headDim, ff, ctx, vocab);
    }
}
