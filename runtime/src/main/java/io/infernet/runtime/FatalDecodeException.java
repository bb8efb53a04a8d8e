package io.infernet.runtime;

/**
 * {@code llama_decode} returned a fatal status (below -1): llama.h says the context is then in an
 * undefined state, so it is poisoned and must be replaced; the model itself is unaffected.
 */
public final class FatalDecodeException extends LlamaException {
    private final int status;

    public FatalDecodeException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The status llama_decode returned. */
    public int status() {
        return status;
    }
}
