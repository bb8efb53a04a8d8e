package io.infernet.server;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP edge: which browser origins may call the API, the other names the served model
 * answers to, and the limits and deadlines every connection is held to.
 *
 * @param corsOrigins       origins ({@code scheme://host[:port]}) whose pages may call the API from a browser; {@code *}
 *                          allows any. Empty: no cross-origin browser access, and a request whose {@code Origin} is
 *                          another site's is refused (403). {@code --cors-origin}
 * @param modelAliases      more names for the engine's default model, listed by {@code /v1/models} and reported back
 *                          to clients that use them. {@code --model-alias}
 * @param acceptAnyModel    a request naming a model this server does not serve gets the default model, reported under
 *                          the name it asked for (tools that hard-code {@code gpt-4o}). {@code --accept-any-model}
 * @param headerTimeout     a request's line and headers must arrive within this of their first byte; else 408 and
 *                          the connection closes
 * @param bodyTimeout       with {@code bodyMinBytesPerSecond}: a body must arrive within {@code bodyTimeout} plus one
 *                          second per {@code bodyMinBytesPerSecond} bytes received; else the connection closes
 * @param bodyMinBytesPerSecond the slowest sustained upload accepted, bytes per second, > 0
 * @param idleTimeout       a kept-alive connection with no request for this long is closed
 * @param maxRequestLineBytes longest request line (method, URL, version); longer gets 414
 * @param maxHeaderBytes    most bytes of request headers; more gets 431
 * @param maxJsonDepth      deepest nesting of a JSON body; deeper gets 400
 * @param bodyBytesPerToken a generation request's body may hold this many bytes per token of the largest served
 *                          context (plus {@link #BODY_SLACK_BYTES}); a larger one gets 413 before it is parsed. JSON
 *                          escapes every non-ASCII character of some clients' bodies as 6 bytes, and a token can
 *                          be several characters, hence generous
 */
public record EdgeConfig(
        List<String> corsOrigins,
        List<String> modelAliases,
        boolean acceptAnyModel,
        Duration headerTimeout,
        Duration bodyTimeout,
        long bodyMinBytesPerSecond,
        Duration idleTimeout,
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxJsonDepth,
        int bodyBytesPerToken) {

    /** Added to the context-derived bound on a generation request's body: JSON structure, roles, short messages. */
    public static final long BODY_SLACK_BYTES = 64 << 10;

    public EdgeConfig {
        corsOrigins = List.copyOf(Objects.requireNonNull(corsOrigins, "corsOrigins"));
        modelAliases = List.copyOf(Objects.requireNonNull(modelAliases, "modelAliases"));
        for (String o : corsOrigins) {
            CorsFilter.checkOrigin(o);
        }
        for (String a : modelAliases) {
            if (a.isBlank() || !a.strip().equals(a)) {
                throw new IllegalArgumentException("--model-alias must not be blank or start or end with whitespace, got '" + a + "'");
            }
        }
        positive(headerTimeout, "header timeout");
        positive(bodyTimeout, "body timeout");
        positive(idleTimeout, "idle timeout");
        if (bodyMinBytesPerSecond < 1) {
            throw new IllegalArgumentException("the minimum upload rate must be >= 1 byte/s, got " + bodyMinBytesPerSecond);
        }
        if (maxRequestLineBytes < 256 || maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("the request line may not be limited below 256 bytes nor the headers below 1024, got "
                    + maxRequestLineBytes + " and " + maxHeaderBytes);
        }
        if (maxJsonDepth < 8 || bodyBytesPerToken < 1) {
            throw new IllegalArgumentException("JSON depth must be >= 8 and bytes per token >= 1, got " + maxJsonDepth + " and "
                    + bodyBytesPerToken);
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    /**
     * No CORS origin, no alias; 10 s for a request head, 10 s plus 1 s per 64 KiB for a body, 30 s idle
     * (clients' pools keep connections 5-90 s); an 8 KiB request line, 16 KiB of headers, JSON 64 levels deep,
     * 64 body bytes per context token.
     */
    public static EdgeConfig defaults() {
        return new EdgeConfig(List.of(), List.of(), false, Duration.ofSeconds(10), Duration.ofSeconds(10), 64 << 10,
                Duration.ofSeconds(30), 8 << 10, 16 << 10, 64, 64);
    }

    public EdgeConfig withCorsOrigins(List<String> origins) {
        return new EdgeConfig(origins, modelAliases, acceptAnyModel, headerTimeout, bodyTimeout, bodyMinBytesPerSecond, idleTimeout,
                maxRequestLineBytes, maxHeaderBytes, maxJsonDepth, bodyBytesPerToken);
    }

    public EdgeConfig withModelAliases(List<String> aliases, boolean acceptAny) {
        return new EdgeConfig(corsOrigins, aliases, acceptAny, headerTimeout, bodyTimeout, bodyMinBytesPerSecond, idleTimeout,
                maxRequestLineBytes, maxHeaderBytes, maxJsonDepth, bodyBytesPerToken);
    }

    public EdgeConfig withDeadlines(Duration header, Duration body, long minBytesPerSecond, Duration idle) {
        return new EdgeConfig(corsOrigins, modelAliases, acceptAnyModel, header, body, minBytesPerSecond, idle,
                maxRequestLineBytes, maxHeaderBytes, maxJsonDepth, bodyBytesPerToken);
    }

    /** The bound on a generation request's body for a context of {@code contextTokens} (0 = unknown: none). */
    long generationBodyBytes(int contextTokens) {
        return contextTokens <= 0 ? Long.MAX_VALUE : (long) contextTokens * bodyBytesPerToken + BODY_SLACK_BYTES;
    }
}
