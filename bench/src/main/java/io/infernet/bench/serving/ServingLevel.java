package io.infernet.bench.serving;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One concurrency level against one server: the figures of its median round (by aggregate
 * tokens/s), with every round's aggregate tokens/s.
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
 * @param roundTokensPerSecond     each round's aggregate tokens/s, in the order run (one round: this one's)
 */
public record ServingLevel(int concurrency, int requests, int failed, long completionTokens, double wallSeconds,
                           double aggregateTokensPerSecond, double ttftP50Ms, double ttftP90Ms, double ttftP99Ms,
                           List<Double> roundTokensPerSecond) {
    public ServingLevel {
        if (concurrency < 1 || requests < 0 || failed < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and counts >= 0");
        }
        roundTokensPerSecond = List.copyOf(roundTokensPerSecond);
    }

    /** One round. */
    public ServingLevel(int concurrency, int requests, int failed, long completionTokens, double wallSeconds,
                        double aggregateTokensPerSecond, double ttftP50Ms, double ttftP90Ms, double ttftP99Ms) {
        this(concurrency, requests, failed, completionTokens, wallSeconds, aggregateTokensPerSecond, ttftP50Ms, ttftP90Ms, ttftP99Ms,
                List.of(aggregateTokensPerSecond));
    }

    /**
     * Several rounds of one level as one: the median round's figures (the lower middle one for an
     * even count), failures summed over all rounds, and every round's tokens/s.
     */
    public static ServingLevel ofRounds(List<ServingLevel> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        List<ServingLevel> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(ServingLevel::aggregateTokensPerSecond));
        ServingLevel m = sorted.get((sorted.size() - 1) / 2);
        int failed = rounds.stream().mapToInt(ServingLevel::failed).sum();
        return new ServingLevel(m.concurrency, m.requests, failed, m.completionTokens, m.wallSeconds, m.aggregateTokensPerSecond,
                m.ttftP50Ms, m.ttftP90Ms, m.ttftP99Ms, rounds.stream().map(ServingLevel::aggregateTokensPerSecond).toList());
    }
}
