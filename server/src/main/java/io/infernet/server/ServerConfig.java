package io.infernet.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the OpenAI-compatible HTTP server runs.
 *
 * @param host             interface to bind; {@code 127.0.0.1} keeps the API local, {@code 0.0.0.0} opens it
 * @param port             TCP port; 0 takes a free ephemeral one (tests)
 * @param apiKey           when set, every route but {@code /health} needs {@code Authorization: Bearer <key>};
 *                         null means no authentication. Never printed (see {@link #toString()})
 * @param maxBodyBytes     largest request body accepted, in bytes; larger ones get 413
 * @param defaultMaxTokens max_tokens for requests that set neither max_tokens nor
 *                         max_completion_tokens; 0 means no cap: the engine generates until the
 *                         model stops or the context is full (reason length), as llama-server's -1
 * @param streamKeepAlive  while a stream waits for the engine longer than this (queued, long
 *                         prompt), an SSE comment line is written; it keeps proxies from timing out
 *                         and finds clients that went away. {@link Duration#ZERO} turns it off
 * @param shutdownGrace    on close, how long running generations get to end after being cancelled
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        long maxBodyBytes,
        int defaultMaxTokens,
        Duration streamKeepAlive,
        Duration shutdownGrace) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;
    public static final Duration DEFAULT_STREAM_KEEP_ALIVE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

    /**
     * The max_tokens handed to the engine when neither the request nor {@link #defaultMaxTokens}
     * bounds it: "until the context is full". Engines treat it as no limit; adapters for remote
     * engines should leave max_tokens out rather than forward this value.
     */
    public static final int UNTIL_CONTEXT_FULL = Integer.MAX_VALUE;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (apiKey != null && (apiKey.isBlank() || !apiKey.strip().equals(apiKey))) {
            throw new IllegalArgumentException("the API key must not be blank or start or end with whitespace");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 1024, got " + maxBodyBytes);
        }
        if (defaultMaxTokens < 0) {
            throw new IllegalArgumentException("defaultMaxTokens must be >= 0 (0 = until the context is full), got " + defaultMaxTokens);
        }
        Objects.requireNonNull(streamKeepAlive, "streamKeepAlive");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (streamKeepAlive.isNegative() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_MAX_BODY_BYTES, 0,
                DEFAULT_STREAM_KEEP_ALIVE, DEFAULT_SHUTDOWN_GRACE);
    }

    /** max_tokens for a request that sets none. */
    public int maxTokensWhenUnset() {
        return defaultMaxTokens == 0 ? UNTIL_CONTEXT_FULL : defaultMaxTokens;
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, apiKey, maxBodyBytes, defaultMaxTokens, streamKeepAlive, shutdownGrace);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, apiKey, maxBodyBytes, defaultMaxTokens, streamKeepAlive, shutdownGrace);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, key, maxBodyBytes, defaultMaxTokens, streamKeepAlive, shutdownGrace);
    }

    public ServerConfig withMaxBodyBytes(long bytes) {
        return new ServerConfig(host, port, apiKey, bytes, defaultMaxTokens, streamKeepAlive, shutdownGrace);
    }

    public ServerConfig withDefaultMaxTokens(int tokens) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, tokens, streamKeepAlive, shutdownGrace);
    }

    public ServerConfig withStreamKeepAlive(Duration d) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, defaultMaxTokens, d, shutdownGrace);
    }

    public ServerConfig withShutdownGrace(Duration d) {
        return new ServerConfig(host, port, apiKey, maxBodyBytes, defaultMaxTokens, streamKeepAlive, d);
    }

    /** Like the generated one, but the API key is shown only as set or not. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", apiKey=" + (apiKey == null ? "none" : "(set)")
                + ", maxBodyBytes=" + maxBodyBytes + ", defaultMaxTokens=" + defaultMaxTokens
                + ", streamKeepAlive=" + streamKeepAlive + ", shutdownGrace=" + shutdownGrace + "]";
    }
}
