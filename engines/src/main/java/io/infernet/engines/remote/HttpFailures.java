package io.infernet.engines.remote;

import io.infernet.engines.EngineException;
import io.infernet.engines.EngineException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns what a remote server answers (an HTTP status and body) or how reaching it failed into
 * an {@link EngineException} of the right kind, with a message that names the server. This is
 * the one place remote failures are translated.
 */
public final class HttpFailures {
    private HttpFailures() {}

    /** When a 429 carries no {@code Retry-After}: try again after one second. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    /**
     * Phrases of vLLM ("This model's maximum context length is 2048 tokens"), llama-server
     * ("the request exceeds the available context size", type exceed_context_size_error),
     * Ollama ("input length exceeds the context length") and OpenAI (context_length_exceeded).
     */
    private static final Pattern CONTEXT = Pattern.compile(
            "maximum context length|context[ _]length|exceeds? the (available )?context|exceed_context_size|context size", Pattern.CASE_INSENSITIVE);

    /**
     * An HTTP error answer.
     *
     * @param server     who answered, e.g. {@code "vllm server at http://127.0.0.1:8000"}
     * @param path       the request path, for 404s that are not about a model
     * @param status     the HTTP status (>= 400)
     * @param body       the response body (may be empty)
     * @param retryAfter the Retry-After header value, or null
     * @param model      the model asked for, or null
     * @param promptParam the request field of the prompt ("messages" or "prompt"), for context errors
     */
    public static EngineException fromStatus(String server, String path, int status, String body, String retryAfter,
                                             String model, String promptParam) {
        ErrorBody err = ErrorBody.parse(body);
        String said = err.message().isEmpty() ? "HTTP " + status : err.message();
        String typ = err.type() == null ? "" : err.type();
        return switch (status) {
            case 400, 422 -> CONTEXT.matcher(said).find() || CONTEXT.matcher(typ).find()
                    ? new EngineException(Kind.CONTEXT_LENGTH_EXCEEDED, said, promptParam)
                    : new EngineException(Kind.INVALID_REQUEST, "the " + server + " refused the request: " + said);
            case 401, 403 -> new EngineException(Kind.UNAVAILABLE, "the " + server + " refused our credentials (HTTP " + status
                    + "): " + said + "; check the API key configured for it");
            case 404 -> said.toLowerCase(Locale.ROOT).contains("model")
                    ? new EngineException(Kind.MODEL_NOT_FOUND, said + (model == null ? "" : " (asked the " + server + " for '" + model + "')"), "model")
                    : new EngineException(Kind.UNSUPPORTED, "the " + server + " has no " + path + " (HTTP 404: " + said + "); is this the right kind of server?");
            case 413 -> new EngineException(Kind.INVALID_REQUEST, "the " + server + " says the request is too large: " + said);
            case 429 -> new EngineException(Kind.OVERLOADED, "the " + server + " is busy: " + said, null,
                    parseRetryAfter(retryAfter, DEFAULT_RETRY_AFTER), null);
            case 501 -> new EngineException(Kind.UNSUPPORTED, "the " + server + " does not do this: " + said);
            case 503 -> new EngineException(Kind.UNAVAILABLE, "the " + server + " is not ready: " + said, null,
                    parseRetryAfter(retryAfter, null), null);
            default -> new EngineException(Kind.INTERNAL, "the " + server + " failed (HTTP " + status + "): " + said);
        };
    }

    /** Reaching the server failed before it answered. */
    public static EngineException unreachable(String server, IOException e, RemoteOptions options) {
        return new EngineException(Kind.UNAVAILABLE, "cannot reach the " + server + ": " + describe(e, options), null, null, e);
    }

    /** One phrase for a transport failure: refused, timed out, reset. */
    public static String describe(Throwable e, RemoteOptions options) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof ConnectException)) {
            root = root.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connecting timed out after " + seconds(options.connectTimeout()) + " (is the host reachable?)";
        }
        if (e instanceof HttpTimeoutException) {
            return "it did not accept the request within " + seconds(options.acceptTimeout());
        }
        if (root instanceof ConnectException) {
            return "connection refused (is it running?)";
        }
        if (root instanceof ClosedChannelException) {
            return "the connection was closed";
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** {@code Retry-After} as seconds or an HTTP date; {@code fallback} when absent or unreadable. */
    public static Duration parseRetryAfter(String value, Duration fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.strip();
        try {
            long s = Long.parseLong(v);
            return s < 0 ? fallback : Duration.ofSeconds(s);
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return fallback;
            }
        }
    }
}
