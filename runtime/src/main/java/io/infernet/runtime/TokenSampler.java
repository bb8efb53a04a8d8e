package io.infernet.runtime;

/**
 * Chooses the next token from the logits of one output of the last decode. One instance per
 * sequence (it keeps the history penalties need); used only by the engine thread.
 */
public interface TokenSampler extends AutoCloseable {

    /** Picks a token from the logits at batch index {@code outputIndex} of {@code ctx}'s last decode. */
    int sample(Context ctx, int outputIndex);

    /** Records a token the sequence now contains (prompt tokens and generated ones), for penalties. */
    void accept(int token);

    /** Forgets the history. */
    void reset();

    @Override
    default void close() {}
}
