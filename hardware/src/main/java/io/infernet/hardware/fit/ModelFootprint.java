package io.infernet.hardware.fit;

import java.util.Objects;

/**
 * What a model needs in memory, before context: its weights, and the shape that sizes its KV cache.
 * The caller builds it: from a GGUF's real tensor sizes ({@link GgufFootprint}), or from the
 * {@link ModelCatalog}.
 *
 * @param name        for people, e.g. {@code Llama-3.1-8B Q4_K_M} or a file name
 * @param weightBytes bytes of all tensors as stored (what is loaded to the device)
 * @param nLayer      transformer blocks ({@code <arch>.block_count})
 * @param nEmbd       model width ({@code <arch>.embedding_length})
 * @param nHeadKv     key/value heads ({@code <arch>.attention.head_count_kv}; = heads without GQA)
 * @param headDim     size of one head ({@code <arch>.attention.key_length}, else width / heads)
 * @param nCtxTrain   context length the model was trained for ({@code <arch>.context_length})
 */
public record ModelFootprint(String name, long weightBytes, int nLayer, int nEmbd, int nHeadKv, int headDim, int nCtxTrain) {

    /** Bytes per cached K or V element: the cache type is F16 (llama.cpp's default {@code type_k}/{@code type_v}). */
    public static final int KV_ELEMENT_BYTES = 2;

    public ModelFootprint {
        Objects.requireNonNull(name, "name");
        if (weightBytes <= 0) {
            throw new IllegalArgumentException(name + ": weight bytes must be > 0, got " + weightBytes);
        }
        if (nLayer <= 0 || nEmbd <= 0 || nHeadKv <= 0 || headDim <= 0 || nCtxTrain <= 0) {
            throw new IllegalArgumentException(name + ": shape values must be > 0, got n_layer=" + nLayer + " n_embd=" + nEmbd
                    + " n_head_kv=" + nHeadKv + " head_dim=" + headDim + " n_ctx_train=" + nCtxTrain);
        }
    }

    /**
     * KV cache bytes for {@code nCtx} tokens: {@code 2 (K and V) * n_layer * n_ctx * n_head_kv *
     * head_dim * 2 (F16)}. Llama-3.1-8B at 8192: 2*32*8192*8*128*2 = 1 GiB exactly.
     */
    public long kvCacheBytes(int nCtx) {
        if (nCtx <= 0) {
            throw new IllegalArgumentException("context length must be > 0, got " + nCtx);
        }
        return Math.multiplyExact(Math.multiplyExact(2L * nLayer * nCtx, (long) nHeadKv * headDim), KV_ELEMENT_BYTES);
    }
}
