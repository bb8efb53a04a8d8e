package io.infernet.runtime.serve;

import java.util.Objects;

/**
 * A generated token's log-probability and the most likely tokens at its step.
 *
 * <p><b>Which distribution:</b> the log-softmax of the model's raw logits at temperature 1: before
 * logit bias, penalties, the grammar mask, temperature and the top-k/top-p/min-p filters (what
 * OpenAI reports, vLLM's default {@code raw_logprobs}, and llama-server's {@code n_probs} without
 * {@code post_sampling_probs}). So a token a grammar forced can have a low log-probability: it is
 * what the model thought, not how the token was drawn.
 *
 * @param token       the drawn token
 * @param logprob     its natural-log probability, {@code <= 0}
 * @param topTokens   the most likely tokens of the step, most likely first (ties: lower id first); shared, not copied
 * @param topLogprobs their log-probabilities, in the same order; shared, not copied
 */
public record TokenLogprobs(int token, float logprob, int[] topTokens, float[] topLogprobs) {
    public TokenLogprobs {
        Objects.requireNonNull(topTokens, "topTokens");
        Objects.requireNonNull(topLogprobs, "topLogprobs");
        if (topTokens.length != topLogprobs.length) {
            throw new IllegalArgumentException("topTokens and topLogprobs differ in length");
        }
    }
}
