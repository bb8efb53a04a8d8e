package io.infernet.runtime.serve;

import java.util.Objects;

/**
 * Why the engine ended one sequence with an error, and whose doing it was, so that the API can
 * answer 400, 500 or 503.
 *
 * @param cause   whose doing it was
 * @param param   the request field at fault for {@link Cause#REQUEST}, else null
 * @param message safe to show to the client: names what failed and what to do
 */
public record SequenceFailure(Cause cause, String param, String message) {

    public enum Cause {
        /** What the request asked cannot be done (every token banned by logit_bias): HTTP 400. */
        REQUEST,
        /** The model's output was unusable (NaN logits) or the engine has a bug: HTTP 500. */
        INTERNAL,
        /** The engine hit a fatal native error and is restarting; the request may be sent again: HTTP 503. */
        UNAVAILABLE
    }

    public SequenceFailure {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(message, "message");
    }
}
