package io.infernet.runtime;

/** A prompt does not fit the context; nothing is truncated silently. */
public final class ContextOverflowException extends LlamaException {
    private final int promptTokens;
    private final int contextLength;

    public ContextOverflowException(int promptTokens, int contextLength) {
        super("the prompt has " + promptTokens + " tokens but the context holds " + contextLength
                + " (and at least one more is needed to generate); shorten the prompt or raise the context length");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
