package io.infernet.chat.template.jinja;

import io.infernet.chat.template.TemplateException;

/**
 * An error raised while evaluating, before it knows where in the template it happened: the
 * interpreter turns it into a {@link TemplateException} at the innermost node it passes through.
 * No stack trace: errors are expected input, not bugs.
 */
final class EvalError extends RuntimeException {
    final TemplateException.Kind kind;

    private EvalError(TemplateException.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    static EvalError render(String message) {
        return new EvalError(TemplateException.Kind.RENDER, message);
    }

    /** {@code raise_exception(message)} from the template. */
    static EvalError raised(String message) {
        return new EvalError(TemplateException.Kind.RAISED, message);
    }

    static EvalError limit(String message) {
        return new EvalError(TemplateException.Kind.LIMIT, message);
    }

    /** A builtin llama.cpp's engine does not implement either (so no template can rely on it). */
    static EvalError notImplemented(String what) {
        return new EvalError(TemplateException.Kind.RENDER, "not implemented: " + what);
    }
}
