package io.infernet.engines;

import java.util.List;
import java.util.Objects;

/**
 * A generated token's log-probability and the most likely tokens at its step, as an engine reports
 * them (the in-process engine: the model's raw distribution, see
 * {@code io.infernet.runtime.serve.TokenLogprobs}).
 *
 * @param token   the token's text (its bytes as UTF-8; a piece of a character reads as U+FFFD)
 * @param bytes   the token's bytes, or null where the engine does not say
 * @param logprob natural-log probability, {@code <= 0}
 * @param top     the most likely tokens of the step, most likely first (empty when none were asked for)
 */
public record TokenLogprob(String token, byte[] bytes, double logprob, List<Alternative> top) {
    public TokenLogprob {
        Objects.requireNonNull(token, "token");
        top = List.copyOf(top);
    }

    /** One of the most likely tokens of a step. */
    public record Alternative(String token, byte[] bytes, double logprob) {
        public Alternative {
            Objects.requireNonNull(token, "token");
        }
    }
}
