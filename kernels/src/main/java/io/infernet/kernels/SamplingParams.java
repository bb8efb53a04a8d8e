package io.infernet.kernels;

import java.util.Map;
import java.util.Objects;

/**
 * How one token is drawn from a logits vector. Every field has an "off" value; a request's
 * parameters map onto this record one to one, so none is silently ignored.
 *
 * <p>Order the sampler applies them in (the order llama.cpp's common sampler uses):
 * logit bias, penalties, top-k, temperature-free filtering (top-p, min-p), temperature, draw.
 * With {@code temperature == 0} the draw is an argmax after bias and penalties.
 *
 * @param temperature      softmax temperature; 0 means greedy (argmax), must be >= 0
 * @param topK             keep the k most likely tokens; 0 means off
 * @param topP             keep the smallest set whose probability mass (softmax at temperature 1 of what
 *                         top-k left) reaches p; 1 means off
 * @param minP             drop tokens whose probability (at temperature 1) is below minP x the best one's,
 *                         i.e. keep logit >= max + ln(minP); 0 means off
 * @param repeatPenalty    llama.cpp's multiplicative repetition penalty; 1 means off
 * @param penaltyLastN     how many of the most recent tokens the penalties look at; -1 means all
 * @param frequencyPenalty OpenAI's: subtract this x the token's count so far; 0 means off
 * @param presencePenalty  OpenAI's: subtract this once if the token occurred; 0 means off
 * @param logitBias        token id to an additive bias in logit units; -infinity bans a token
 * @param seed             seed of the draw's random stream; the same seed gives the same draws
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repeatPenalty,
        int penaltyLastN,
        float frequencyPenalty,
        float presencePenalty,
        Map<Integer, Float> logitBias,
        long seed) {

    public SamplingParams {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
        if (!(repeatPenalty > 0f) || Float.isInfinite(repeatPenalty)) {
            throw new IllegalArgumentException("repeat_penalty must be a finite number > 0, got " + repeatPenalty);
        }
        if (penaltyLastN < -1) {
            throw new IllegalArgumentException("penalty_last_n must be >= -1, got " + penaltyLastN);
        }
        if (!Float.isFinite(frequencyPenalty) || frequencyPenalty < -2f || frequencyPenalty > 2f) {
            throw new IllegalArgumentException("frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        }
        if (!Float.isFinite(presencePenalty) || presencePenalty < -2f || presencePenalty > 2f) {
            throw new IllegalArgumentException("presence_penalty must be in [-2, 2], got " + presencePenalty);
        }
        logitBias = Map.copyOf(Objects.requireNonNull(logitBias, "logitBias"));
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0) {
                throw new IllegalArgumentException("logit_bias token id must be >= 0, got " + e.getKey());
            }
            float v = e.getValue();
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit_bias for token " + e.getKey() + " must be a number or -infinity, got " + v);
            }
        }
    }

    /** Argmax: no randomness, no penalties. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 64, 0f, 0f, Map.of(), 0L);
    }

    /** The defaults an OpenAI-style request gets when it sets nothing (temperature 1, all filters off). */
    public static SamplingParams defaults() {
        return new SamplingParams(1f, 0, 1f, 0f, 1f, 64, 0f, 0f, Map.of(), System.nanoTime());
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public boolean hasPenalties() {
        return repeatPenalty != 1f || frequencyPenalty != 0f || presencePenalty != 0f;
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(t, topK, topP, minP, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(temperature, topK, p, minP, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withMinP(float p) {
        return new SamplingParams(temperature, topK, topP, p, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withRepeatPenalty(float penalty, int lastN) {
        return new SamplingParams(temperature, topK, topP, minP, penalty, lastN, frequencyPenalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withFrequencyPenalty(float penalty) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, penaltyLastN, penalty, presencePenalty, logitBias, seed);
    }

    public SamplingParams withPresencePenalty(float penalty) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, penaltyLastN, frequencyPenalty, penalty, logitBias, seed);
    }

    public SamplingParams withLogitBias(Map<Integer, Float> bias) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, bias, seed);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, penaltyLastN, frequencyPenalty, presencePenalty, logitBias, s);
    }
}
