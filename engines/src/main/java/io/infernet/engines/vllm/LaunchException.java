package io.infernet.engines.vllm;

/** Starting or running an external engine process failed; the message says why and what to do. */
public class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
