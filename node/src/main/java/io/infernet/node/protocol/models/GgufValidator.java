package io.infernet.node.protocol.models;

import java.nio.file.Path;

/**
 * Decides whether a downloaded file is a usable GGUF model before it enters the store.
 * {@link GgufHeaderCheck} checks the header only; a full validator (every key/value and tensor
 * descriptor, offsets within the file) can replace it through this interface.
 */
@FunctionalInterface
public interface GgufValidator {

    /** @throws InvalidModelException saying what is wrong with {@code file} */
    void validate(Path file) throws InvalidModelException;

    /** A file that is not a usable GGUF model. */
    final class InvalidModelException extends Exception {
        public InvalidModelException(String message) {
            super(message);
        }
    }
}
