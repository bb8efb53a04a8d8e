package io.infernet.natives;

/** Getting or building the native libraries failed; the message says what to do. */
public class NativeException extends RuntimeException {
    public NativeException(String message) {
        super(message);
    }

    public NativeException(String message, Throwable cause) {
        super(message, cause);
    }
}
