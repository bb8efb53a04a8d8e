package io.infernet.runtime;

import io.infernet.kernels.Sampler;
import io.infernet.kernels.SamplingParams;

/**
 * The project's own sampler (Vector API kernels) over llama.cpp's logits buffer, read in place.
 * Allocates nothing per token.
 */
public final class JavaSampler implements TokenSampler {
    private final Sampler sampler;

    public JavaSampler(SamplingParams params, int vocabSize) {
        this.sampler = new Sampler(params, vocabSize);
    }

    @Override
    public int sample(Context ctx, int outputIndex) {
        return sampler.sample(ctx.logits(outputIndex));
    }

    @Override
    public void accept(int token) {
        sampler.accept(token);
    }

    @Override
    public void reset() {
        sampler.reset();
    }
}
