package io.infernet.hardware;

/**
 * A tool's output (or a /proc file) is not in the shape its parser knows. The message says what
 * was wrong and quotes the offending part, so it can be shown to a person as the reason a
 * source found nothing.
 */
public final class UnreadableOutputException extends RuntimeException {
    public UnreadableOutputException(String message) {
        super(message);
    }

    public UnreadableOutputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code text} cut to 80 characters, control characters shown as {@code ?}, for quoting in a message. */
    static String quote(String text) {
        String t = text.strip().replaceAll("\\p{Cntrl}", "?");
        return "'" + (t.length() > 80 ? t.substring(0, 77) + "..." : t) + "'";
    }
}
