package io.infernet.runtime.gguf;

import java.nio.file.Path;

/**
 * A GGUF file could not be read, validated or written. The message always starts with the file
 * name and says what is wrong, e.g. {@code model.gguf: truncated: tensor 'blk.0.attn_q.weight'
 * needs bytes 1234..5678 but the file has 4000}.
 */
public final class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A name or text from a file as a message shows it: control characters as {@code ?}, and cut
     * to 60 characters with its length said when longer (keys may be 64 KB, strings far more).
     */
    static String shown(String s) {
        String cut = s.length() > 64 ? s.substring(0, 60) + "... (" + s.length() + " characters)" : s;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return b.toString();
    }

    /** {@code file: problem}, with the file named as the caller gave it. */
    static GgufException of(Path file, String problem) {
        return new GgufException(file + ": " + problem);
    }
}
