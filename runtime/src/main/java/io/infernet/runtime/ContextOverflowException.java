package io.infernet.runtime;

/** A prompt does not fit the context; nothing is truncated silently. */
public final class ContextOverflowException extends LlamaException {
    private final int promptTokens;
    private final int maxSequenceTokens;

    public ContextOverflowException(int promptTokens, int maxSequenceTokens) {
        super("the prompt has " + promptTokens + " tokens but a sequence may hold " + maxSequenceTokens
                + " (and at least one more is needed to generate); shorten the prompt or raise the context length");
        this.promptTokens = promptTokens;
        this.maxSequenceTokens = maxSequenceTokens;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int maxSequenceTokens() {
        return maxSequenceTokens;
    }
}
