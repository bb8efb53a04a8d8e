package io.infernet.engines;

import java.time.Duration;

/**
 * A request the engine refuses before or instead of generating. {@link Kind} tells the HTTP
 * layer which status and OpenAI error code to answer with.
 */
public class EngineException extends RuntimeException {

    public enum Kind {
        /** Bad parameters (400, invalid_request_error). */
        INVALID_REQUEST,
        /** The prompt does not fit the context (400, context_length_exceeded). */
        CONTEXT_LENGTH_EXCEEDED,
        /** No such model here (404, model_not_found). */
        MODEL_NOT_FOUND,
        /** The queue is full; try again after {@link #retryAfter()} (429). */
        OVERLOADED,
        /** The engine cannot be reached or is not running (503). */
        UNAVAILABLE,
        /** The engine does not do this (e.g. embeddings on a model without pooling) (400). */
        UNSUPPORTED,
        /** A bug or an engine failure (500). */
        INTERNAL
    }

    private final Kind kind;
    private final String param;
    private final Duration retryAfter;

    public EngineException(Kind kind, String message) {
        this(kind, message, null, null, null);
    }

    public EngineException(Kind kind, String message, String param) {
        this(kind, message, param, null, null);
    }

    public EngineException(Kind kind, String message, String param, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    /** For {@link Kind#OVERLOADED}: when to try again; otherwise null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
