package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.EngineException;
import java.time.Duration;

/** Errors in OpenAI's shape, and the one mapping from engine refusals to HTTP answers. */
final class OpenAiErrors {

    private OpenAiErrors() {}

    /** {@code {"error": {"message", "type", "param", "code"}}}; absent param and code are JSON null. */
    static ObjectNode body(ApiException e) {
        return body(e.getMessage(), e.type(), e.param(), e.code());
    }

    static ObjectNode body(String message, String type, String param, String code) {
        ObjectNode root = Json.object();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", type);
        err.put("param", param);
        err.put("code", code);
        return root;
    }

    /** Sends {@code e} as the whole response. The response must not have been started. */
    static void send(ServerResponse res, ApiException e) {
        res.status(Status.create(e.status()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (e.retryAfterSeconds() > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        res.send(Json.bytes(body(e)));
    }

    /**
     * The HTTP answer to an engine's refusal, per {@link EngineException.Kind}: 400 invalid
     * request or context_length_exceeded, 404 model_not_found, 429 with Retry-After (whole
     * seconds, at least 1), 503, 400 unsupported, 500.
     */
    static ApiException fromEngine(EngineException e) {
        String msg = e.getMessage() == null ? e.kind().name().toLowerCase(java.util.Locale.ROOT) : e.getMessage();
        return switch (e.kind()) {
            case INVALID_REQUEST -> new ApiException(400, ApiException.INVALID_REQUEST, e.param(), "invalid_value", msg);
            case CONTEXT_LENGTH_EXCEEDED -> new ApiException(400, ApiException.INVALID_REQUEST,
                    e.param() == null ? "messages" : e.param(), "context_length_exceeded", msg);
            case MODEL_NOT_FOUND -> new ApiException(404, ApiException.INVALID_REQUEST, e.param() == null ? "model" : e.param(), "model_not_found", msg);
            case OVERLOADED -> new ApiException(429, "rate_limit_error", null, "overloaded", msg, retryAfterSeconds(e.retryAfter()));
            case UNAVAILABLE -> new ApiException(503, ApiException.SERVER_ERROR, null, "engine_unavailable", msg);
            case UNSUPPORTED -> new ApiException(400, ApiException.INVALID_REQUEST, e.param(), "unsupported", msg);
            case INTERNAL -> new ApiException(500, ApiException.SERVER_ERROR, null, null, msg);
        };
    }

    static long retryAfterSeconds(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            return 1;
        }
        long s = d.toSeconds();
        return d.equals(Duration.ofSeconds(s)) ? Math.max(1, s) : s + 1;
    }

    static ApiException notFound(String method, String path) {
        return new ApiException(404, ApiException.INVALID_REQUEST, null, null, "Invalid URL (" + method + " " + path + ")");
    }

    static ApiException methodNotAllowed(String method, String path) {
        return new ApiException(405, ApiException.INVALID_REQUEST, null, "method_not_allowed",
                "Invalid method for URL (" + method + " " + path + ")");
    }

    static ApiException tooLarge(long limit) {
        return tooLarge(-1, limit, "this server's limit");
    }

    /** 413; {@code declared} is the body's Content-Length, or -1 when it was counted while reading. */
    static ApiException tooLarge(long declared, long limit, String reason) {
        return new ApiException(413, ApiException.INVALID_REQUEST, null, "request_too_large",
                "The request body" + (declared >= 0 ? " (" + declared + " bytes)" : "") + " is larger than " + reason
                        + " of " + limit + " bytes.");
    }

    static ApiException shuttingDown() {
        return new ApiException(503, ApiException.SERVER_ERROR, null, "shutting_down",
                "The server is shutting down; send the request again to another node or later.");
    }

    static ApiException internal(String ref) {
        return new ApiException(500, ApiException.SERVER_ERROR, null, null,
                "The server had an internal error while processing your request (ref " + ref + ").");
    }
}
