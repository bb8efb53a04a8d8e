package io.infernet.bench.serving;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The serving results of one server.
 *
 * @param id      {@code llama-server} or {@code infernet}
 * @param label   for tables
 * @param command how it was started
 * @param levels  one per concurrency level measured
 * @param error   why it could not be measured (not started, not ready), if so
 * @param prefix  time to first token for a long prompt, cold and with its prefix cached
 * @param stream  per-token latency of one stream alone
 */
public record ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error,
                            Optional<PrefixProbe> prefix, Optional<StreamProbe> stream) {
    public ServingServer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(stream, "stream");
        levels = List.copyOf(levels);
    }

    public ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error) {
        this(id, label, command, levels, error, Optional.empty(), Optional.empty());
    }

    /**
     * Cold against cached time to first token: each trial sends a prompt with a fresh long prefix
     * (nothing of it cached), then a second prompt with the same prefix and another question.
     *
     * @param promptTokens prompt tokens of the cold request, as the server counted them (median)
     * @param coldTtftMs   median time to first token, cold
     * @param cachedTtftMs median time to first token, prefix cached
     * @param trials       trials run
     */
    public record PrefixProbe(long promptTokens, double coldTtftMs, double cachedTtftMs, int trials) {
        public double ratio() {
            return cachedTtftMs / coldTtftMs;
        }
    }

    /**
     * One stream alone, after its first token: mean milliseconds between tokens (median over trials).
     */
    public record StreamProbe(int maxTokens, double perTokenMs, int trials) {
        public double tokensPerSecond() {
            return 1000.0 / perTokenMs;
        }
    }
}
