package io.infernet.runtime;

/**
 * Receives each generated token as it is produced, on the generating thread.
 */
@FunctionalInterface
public interface TokenSink {
    /**
     * @param token  the token id
     * @param utf8   the token's bytes in {@code utf8[0..length)}; the array is reused for the
     *               next token, copy what you keep; a piece can end inside a multi-byte character
     * @param length number of bytes
     * @return false to stop the generation (it then ends as cancelled)
     */
    boolean onToken(int token, byte[] utf8, int length);
}
