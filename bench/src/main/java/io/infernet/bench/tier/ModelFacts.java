package io.infernet.bench.tier;

import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufTensor;
import io.infernet.runtime.gguf.ModelShape;
import io.infernet.runtime.gguf.ModelSynth;
import io.infernet.runtime.gguf.SynthSpec;
import java.nio.file.Path;

/**
 * What sizing and the roofline need to know about a model, read from its GGUF layout (no weights
 * touched): a synthesized model's layout is planned without writing it, so a tier's needs are
 * known before its file exists.
 *
 * @param name                   short name ({@code demo}, {@code 7b})
 * @param weightBytes            bytes of all tensor data
 * @param parameterCount         elements of all tensors
 * @param tokenEmbeddingBytes    bytes of {@code token_embd.weight} (a decode reads one row of it, not all)
 * @param tokenEmbeddingRowBytes bytes of one row of it (one token's embedding)
 * @param kvBytesPerToken        KV-cache bytes per token of context with an F16 cache, all layers
 */
public record ModelFacts(String name, long weightBytes, long parameterCount, long tokenEmbeddingBytes,
                         long tokenEmbeddingRowBytes, long kvBytesPerToken) {

    public ModelFacts {
        if (weightBytes <= 0 || parameterCount <= 0 || kvBytesPerToken <= 0) {
            throw new IllegalArgumentException("model " + name + ": weights, parameters and KV bytes per token must be > 0");
        }
        if (tokenEmbeddingBytes < 0 || tokenEmbeddingBytes > weightBytes || tokenEmbeddingRowBytes < 0
                || tokenEmbeddingRowBytes > tokenEmbeddingBytes) {
            throw new IllegalArgumentException("model " + name + ": token embedding of " + tokenEmbeddingBytes + " bytes (rows of "
                    + tokenEmbeddingRowBytes + ") does not fit " + weightBytes + " bytes of weights");
        }
    }

    /** Facts of a GGUF file's layout (a real file or a planned one). */
    public static ModelFacts of(String name, GgufFile file) {
        ModelShape shape = file.shape();
        long embBytes = 0;
        long rowBytes = 0;
        GgufTensor emb = file.tensor("token_embd.weight").orElse(null);
        if (emb != null && emb.dims().size() >= 2) {
            embBytes = emb.byteSize();
            rowBytes = embBytes / emb.dims().get(1);
        }
        return new ModelFacts(name, shape.weightBytes(), shape.parameterCount(), embBytes, rowBytes, shape.kvCacheBytesPerToken(2));
    }

    /** Facts of the model {@code spec} would synthesize, without writing it (reads the pin's vocabulary file). */
    public static ModelFacts plan(SynthSpec spec) {
        return of(spec.name(), ModelSynth.plan(spec, Path.of(spec.name() + ".gguf")));
    }

    /** Weights, KV cache for {@code contextTokens} and llama.cpp's overhead, bytes. */
    public long requiredBytes(int contextTokens, long overheadBytes) {
        return weightBytes + kvBytesPerToken * contextTokens + overheadBytes;
    }
}
