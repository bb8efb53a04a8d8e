package io.infernet.runtime.serve;

/**
 * Events of one served sequence, called on the engine thread, in order: {@code onStart} once,
 * {@code onText} any number of times, then exactly one of {@code onFinish} or {@code onFailure}.
 * Implementations hand off and return at once; an exception thrown here cancels the sequence.
 */
public interface SequenceListener {
    /** The sequence got a slot; {@code reusedTokens} of its prompt came from cache. */
    void onStart(int promptTokens, int reusedTokens);

    /** New output text (complete UTF-8 characters, stop strings held back) for {@code token}. */
    void onText(String text, int token);

    /** Normal end. {@code text} is the whole output. */
    void onFinish(Finish finish, String text, int promptTokens, int completionTokens);

    /** The engine failed this sequence (the default passes the message to {@link #onError}). */
    default void onFailure(SequenceFailure failure) {
        onError(failure.message());
    }

    /** The engine failed this sequence; listeners that need whose doing it was override {@link #onFailure}. */
    void onError(String message);
}
