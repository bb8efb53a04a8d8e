package io.infernet.runtime.serve;

/**
 * Events of one served sequence (one choice of a request), called on the engine thread, in order:
 * {@code onStart} once (unless it ends before it got a slot), {@code onToken} any number of times,
 * then exactly one of {@code onFinish} or {@code onFailure}. Implementations hand off and return at
 * once; an exception thrown here cancels the sequence.
 */
public interface SequenceListener {
    /** The sequence got a slot; {@code reusedTokens} of its prompt came from cache. */
    void onStart(int promptTokens, int reusedTokens);

    /** New output text (complete UTF-8 characters, stop strings held back) for {@code token}; -1 for text flushed at the end. */
    void onText(String text, int token);

    /**
     * As {@link #onText}, with the token's log-probabilities when the request asked for them (null
     * otherwise, and for text flushed at the end). The engine calls this one; by default it forwards
     * to {@link #onText}.
     */
    default void onToken(String text, int token, TokenLogprobs logprobs) {
        onText(text, token);
    }

    /** Normal end. {@code text} is the whole output. */
    void onFinish(Finish finish, String text, int promptTokens, int completionTokens);

    /** The engine failed this sequence (the default passes the message to {@link #onError}). */
    default void onFailure(SequenceFailure failure) {
        onError(failure.message());
    }

    /** The engine failed this sequence; listeners that need whose doing it was override {@link #onFailure}. */
    void onError(String message);
}
