package io.infernet.bench.serving;

import io.infernet.bench.stats.Summary;
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
 * @param overhead HTTP streaming against the same engine in process, per thread setting (ours only)
 * @param independentLevels the same levels measured by the independent (Python) client, when it ran
 */
public record ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error,
                            Optional<PrefixProbe> prefix, Optional<StreamProbe> stream, List<OverheadProbe> overhead,
                            List<ServingLevel> independentLevels) {
    public ServingServer {
        independentLevels = independentLevels == null ? List.of() : List.copyOf(independentLevels);
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(stream, "stream");
        levels = List.copyOf(levels);
        overhead = overhead == null ? List.of() : List.copyOf(overhead);
    }

    public ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error,
                         Optional<PrefixProbe> prefix, Optional<StreamProbe> stream, List<OverheadProbe> overhead) {
        this(id, label, command, levels, error, prefix, stream, overhead, List.of());
    }

    public ServingServer(String id, String label, String command, List<ServingLevel> levels, Optional<String> error,
                         Optional<PrefixProbe> prefix, Optional<StreamProbe> stream) {
        this(id, label, command, levels, error, prefix, stream, List.of());
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

    /**
     * The extra time per token of streaming over HTTP, against the very engine {@code serve} runs,
     * in process with no HTTP: a child JVM opened with the same settings, its trials interleaved with
     * streamed requests to the server (same prompt, greedy, same length). Both time from the first
     * token to the last, the engine at its listener and the client at the chunks.
     *
     * @param threads          ggml threads of both
     * @param freeCores        cores of the machine that neither's ggml threads use (HTTP and the client run there)
     * @param maxTokens        tokens per request
     * @param httpPerTokenMs   median over the rounds, over HTTP
     * @param enginePerTokenMs median over the rounds, in process
     * @param roundRatios      HTTP over in process, per round (the two trials of a round run back to back)
     * @param llamaServerHttpPerTokenMs median over the rounds of llama-server over HTTP, the same request in the same
     *                         rounds (NaN when it was not measured)
     * @param llamaServerRoundRatios llama-server over HTTP over the same in-process trial, per round (empty when not measured)
     */
    public record OverheadProbe(int threads, int freeCores, int maxTokens, double httpPerTokenMs, double enginePerTokenMs,
                                List<Double> roundRatios, double llamaServerHttpPerTokenMs, List<Double> llamaServerRoundRatios) {
        public OverheadProbe {
            roundRatios = List.copyOf(roundRatios);
            llamaServerRoundRatios = List.copyOf(llamaServerRoundRatios);
            if (roundRatios.isEmpty()) {
                throw new IllegalArgumentException("no rounds");
            }
        }

        /** Ours alone. */
        public OverheadProbe(int threads, int freeCores, int maxTokens, double httpPerTokenMs, double enginePerTokenMs, List<Double> roundRatios) {
            this(threads, freeCores, maxTokens, httpPerTokenMs, enginePerTokenMs, roundRatios, Double.NaN, List.of());
        }

        /** llama-server's per-round ratios against the same in-process reference, when it was measured. */
        public java.util.Optional<Summary> llamaServerRatios() {
            return llamaServerRoundRatios.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Summary.of(llamaServerRoundRatios));
        }

        /**
         * Ours over HTTP / llama-server over HTTP, per round: the in-process trial the two overheads
         * share cancels out, so this comparison carries one trial's noise less than the two overheads side by side.
         */
        public java.util.Optional<Summary> oursOverLlamaServer() {
            if (llamaServerRoundRatios.size() != roundRatios.size()) {
                return java.util.Optional.empty();
            }
            double[] r = new double[roundRatios.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = roundRatios.get(i) / llamaServerRoundRatios.get(i);
            }
            return java.util.Optional.of(Summary.of(r));
        }

        /** The per-round ratios: median, min and max. */
        public Summary ratios() {
            return Summary.of(roundRatios);
        }
    }
}
