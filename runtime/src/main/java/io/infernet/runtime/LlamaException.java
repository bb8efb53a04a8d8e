package io.infernet.runtime;

/** A llama.cpp operation failed; the message names the input and, where llama.cpp said why, its words. */
public class LlamaException extends RuntimeException {
    public LlamaException(String message) {
        super(message);
    }

    public LlamaException(String message, Throwable cause) {
        super(message, cause);
    }
}
