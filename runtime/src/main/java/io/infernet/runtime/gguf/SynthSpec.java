package io.infernet.runtime.gguf;

import java.util.Objects;

/**
 * The shape and contents of a llama-architecture model with random weights.
 *
 * @param name              short name, used in {@code general.name} (e.g. {@code demo}, {@code custom})
 * @param embeddingLength   {@code n_embd}; a multiple of 32 for quantized weights
 * @param layers            {@code n_layer}
 * @param heads             {@code n_head}; divides {@code embeddingLength} into heads of even size
 * @param headsKv           {@code n_head_kv}; divides {@code heads}
 * @param feedForwardLength {@code n_ff}; a multiple of 32 for quantized weights
 * @param contextLength     {@code n_ctx_train}, tokens
 * @param ropeTheta         RoPE frequency base
 * @param rmsEps            RMS-norm epsilon
 * @param weightType        type of the matrices (token embedding and output included); norms are F32
 * @param seed              random seed: the same spec and seed give a byte-identical file
 * @param poolingType       {@code <arch>.pooling_type}: 0 none (a generative model), 1 mean, 2 cls, 3 last (an embedding model)
 * @param vocab             tokenizer source: a vocabulary name of the pin ({@code llama-spm},
 *                          {@code qwen2}, ...) or the path of any GGUF file with {@code tokenizer.*} keys
 */
public record SynthSpec(String name, int embeddingLength, int layers, int heads, int headsKv, int feedForwardLength,
                        int contextLength, float ropeTheta, float rmsEps, GgmlType weightType, long seed, String vocab,
                        int poolingType) {

    /** The vocabulary used unless another is named: the Llama-2 SentencePiece tokenizer, 32000 tokens. */
    public static final String DEFAULT_VOCAB = "llama-spm";
    public static final long DEFAULT_SEED = 42;

    public SynthSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(weightType, "weightType");
        Objects.requireNonNull(vocab, "vocab");
        require(embeddingLength > 0 && layers > 0 && heads > 0 && headsKv > 0 && feedForwardLength > 0 && contextLength > 0,
                "dimensions must be positive: dim " + embeddingLength + ", layers " + layers + ", heads " + heads
                        + ", kv heads " + headsKv + ", ff " + feedForwardLength + ", ctx " + contextLength);
        require(layers <= 512, "layers " + layers + " exceeds llama.cpp's limit of 512");
        require(embeddingLength % heads == 0, "dim " + embeddingLength + " is not divisible by heads " + heads);
        require((embeddingLength / heads) % 2 == 0, "head size " + embeddingLength / heads + " (dim / heads) must be even for RoPE");
        require(heads % headsKv == 0, "heads " + heads + " is not divisible by kv heads " + headsKv);
        require(SynthWeights.supports(weightType), "weight type " + weightType.ggmlName() + " is not one of f32, f16, q8_0, q4_0");
        require(embeddingLength % weightType.blockSize() == 0 && feedForwardLength % weightType.blockSize() == 0,
                "dim " + embeddingLength + " and ff " + feedForwardLength + " must be multiples of " + weightType.blockSize()
                        + " for " + weightType.ggmlName() + " weights");
        require(ropeTheta > 0 && Float.isFinite(ropeTheta), "rope theta " + ropeTheta + " must be positive");
        require(rmsEps > 0 && rmsEps < 1, "rms eps " + rmsEps + " must be in (0, 1)");
        require(!vocab.isBlank(), "vocab must name a vocabulary or a GGUF file");
        require(poolingType >= 0 && poolingType <= 3, "pooling type " + poolingType + " must be 0 (none), 1 (mean), 2 (cls) or 3 (last)");
    }

    /** A generative model (no pooling). */
    public SynthSpec(String name, int embeddingLength, int layers, int heads, int headsKv, int feedForwardLength,
                     int contextLength, float ropeTheta, float rmsEps, GgmlType weightType, long seed, String vocab) {
        this(name, embeddingLength, layers, heads, headsKv, feedForwardLength, contextLength, ropeTheta, rmsEps, weightType, seed,
                vocab, 0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Elements per attention head. */
    public int headDim() {
        return embeddingLength / heads;
    }

    public SynthSpec withSeed(long newSeed) {
        return new SynthSpec(name, embeddingLength, layers, heads, headsKv, feedForwardLength, contextLength, ropeTheta, rmsEps,
                weightType, newSeed, vocab, poolingType);
    }

    public SynthSpec withWeightType(GgmlType type) {
        return new SynthSpec(name, embeddingLength, layers, heads, headsKv, feedForwardLength, contextLength, ropeTheta, rmsEps,
                type, seed, vocab, poolingType);
    }

    public SynthSpec withVocab(String newVocab) {
        return new SynthSpec(name, embeddingLength, layers, heads, headsKv, feedForwardLength, contextLength, ropeTheta, rmsEps,
                weightType, seed, newVocab, poolingType);
    }

    /** The same model with a pooling layer declared: an embedding model. */
    public SynthSpec withPooling(int type) {
        return new SynthSpec(name, embeddingLength, layers, heads, headsKv, feedForwardLength, contextLength, ropeTheta, rmsEps,
                weightType, seed, vocab, type);
    }
}
