package io.infernet.bench.serving;

/**
 * One concurrency level against one server.
 *
 * @param concurrency              streams open at once
 * @param requests                 requests completed
 * @param failed                   requests that failed (HTTP error, broken stream)
 * @param completionTokens         tokens generated in all (the server's usage when reported, else content chunks)
 * @param wallSeconds              from the first request sent to the last one finished
 * @param aggregateTokensPerSecond {@code completionTokens / wallSeconds}
 * @param ttftP50Ms                time to first content, median, ms
 * @param ttftP90Ms                90th percentile
 * @param ttftP99Ms                99th percentile
 */
public record ServingLevel(int concurrency, int requests, int failed, long completionTokens, double wallSeconds,
                           double aggregateTokensPerSecond, double ttftP50Ms, double ttftP90Ms, double ttftP99Ms) {
    public ServingLevel {
        if (concurrency < 1 || requests < 0 || failed < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and counts >= 0");
        }
    }
}
