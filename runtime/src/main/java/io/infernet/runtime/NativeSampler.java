package io.infernet.runtime;

import io.infernet.bindings.llama_h;
import io.infernet.bindings.llama_logit_bias;
import io.infernet.kernels.SamplingParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * llama.cpp's own sampler chain, built from the same {@link SamplingParams}: the reference the
 * Java sampler is held to, and an alternative for users who want llama.cpp's exact behaviour.
 * {@code llama_sampler_sample} already accepts the token it returns, so {@link #accept} skips
 * that one token and feeds the chain everything else (prompt tokens, for penalties).
 */
public final class NativeSampler implements TokenSampler {
    private final MemorySegment chain;
    private boolean closed;
    private int acceptedBySample = -1;

    public NativeSampler(SamplingParams p, int vocabSize) {
        LlamaRuntime.load();
        try (Arena arena = Arena.ofConfined()) {
            chain = llama_h.llama_sampler_chain_init(llama_h.llama_sampler_chain_default_params(arena));
            if (!p.logitBias().isEmpty()) {
                MemorySegment biases = arena.allocate(llama_logit_bias.layout(), p.logitBias().size());
                int i = 0;
                for (var e : p.logitBias().entrySet()) {
                    MemorySegment b = biases.asSlice(i * llama_logit_bias.layout().byteSize(), llama_logit_bias.layout());
                    llama_logit_bias.token(b, e.getKey());
                    llama_logit_bias.bias(b, e.getValue());
                    i++;
                }
                add(llama_h.llama_sampler_init_logit_bias(vocabSize, p.logitBias().size(), biases));
            }
            if (p.hasPenalties()) {
                add(llama_h.llama_sampler_init_penalties(vocabSize, p.penaltyLastN(), p.repeatPenalty(), p.frequencyPenalty(), p.presencePenalty()));
            }
            if (p.isGreedy()) {
                add(llama_h.llama_sampler_init_greedy());
            } else {
                if (p.topK() > 0) {
                    add(llama_h.llama_sampler_init_top_k(p.topK()));
                }
                if (p.topP() < 1f) {
                    add(llama_h.llama_sampler_init_top_p(p.topP(), 1));
                }
                if (p.minP() > 0f) {
                    add(llama_h.llama_sampler_init_min_p(p.minP(), 1));
                }
                add(llama_h.llama_sampler_init_temp(p.temperature()));
                add(llama_h.llama_sampler_init_dist((int) p.seed()));
            }
        }
    }

    private void add(MemorySegment sampler) {
        llama_h.llama_sampler_chain_add(chain, sampler);
    }

    @Override
    public int sample(Context ctx, int outputIndex) {
        acceptedBySample = llama_h.llama_sampler_sample(chain, ctx.handle(), outputIndex);
        return acceptedBySample;
    }

    @Override
    public void accept(int token) {
        if (token == acceptedBySample) {
            acceptedBySample = -1;
            return;
        }
        llama_h.llama_sampler_accept(chain, token);
    }

    @Override
    public void reset() {
        acceptedBySample = -1;
        llama_h.llama_sampler_reset(chain);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            llama_h.llama_sampler_free(chain);
        }
    }
}
