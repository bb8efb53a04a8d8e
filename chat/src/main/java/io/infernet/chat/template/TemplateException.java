package io.infernet.chat.template;

/**
 * A chat template that cannot be parsed or rendered. {@link #kind()} says whose fault it is, so
 * that a server can answer: a {@link Kind#RAISED} or {@link Kind#INPUT} error is the client's (a
 * 400 carrying {@link #reason()}), the others are the template's or the operator's.
 * {@link #line()} and {@link #column()} (1-based, in characters, of the template source with line
 * ends normalized to {@code \n}) are 0 when the error has no place in the template.
 */
public final class TemplateException extends RuntimeException {

    /** Why a template failed. */
    public enum Kind {
        /** The template does not parse (lexer or parser). */
        SYNTAX,
        /** The template called {@code raise_exception(message)}: it refuses this conversation. */
        RAISED,
        /** Evaluation failed: a type error, an unknown filter or test, an unsupported builtin. */
        RENDER,
        /** A bound against hostile templates was reached: output size, loop iterations, call depth. */
        LIMIT,
        /** The conversation itself is invalid (a message without a role, bad tool-call arguments). */
        INPUT
    }

    private final Kind kind;
    private final String reason;
    private final int line;
    private final int column;

    public TemplateException(Kind kind, String reason, int line, int column) {
        super(message(kind, reason, line, column));
        this.kind = kind;
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    /** An error without a place in the template. */
    public TemplateException(Kind kind, String reason) {
        this(kind, reason, 0, 0);
    }

    private static String message(Kind kind, String reason, int line, int column) {
        String where = line > 0 ? " at line " + line + ", column " + column : "";
        return switch (kind) {
            case SYNTAX -> "chat template syntax error" + where + ": " + reason;
            case RAISED -> "the chat template refused the conversation" + where + ": " + reason;
            case RENDER -> "chat template error" + where + ": " + reason;
            case LIMIT -> "chat template stopped" + where + ": " + reason;
            case INPUT -> "invalid conversation for the chat template: " + reason;
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The cause alone, without the place: for {@link Kind#RAISED}, the template's own message. */
    public String reason() {
        return reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
