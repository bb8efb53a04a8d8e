package io.infernet.server;

import io.infernet.engines.EngineStats;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The API's counters and the Prometheus text exposition (format 0.0.4) of them and of the
 * engine's {@link EngineStats}.
 *
 * <p>Thread safety: every method may be called from any thread; counters are lock-free, the
 * token-rate window takes a short lock.
 */
final class Metrics {

    /** Content-Type of {@link #render}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Width of the tokens/s window, in seconds. */
    static final int RATE_WINDOW_SECONDS = 10;

    private final LongSupplier nanoClock;
    private final Map<RouteStatus, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final long[] bucketSecond = new long[RATE_WINDOW_SECONDS + 1];
    private final long[] bucketTokens = new long[RATE_WINDOW_SECONDS + 1];

    /** @param status a status code, or {@code client_closed} / {@code client_timeout} for requests that got no answer */
    private record RouteStatus(String route, String status) {}

    /** @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a fake one in tests) */
    Metrics(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    }

    Metrics() {
        this(System::nanoTime);
    }

    /** One answered request; {@code route} is a route template, never a raw path (bounded labels). */
    void request(String route, int status) {
        request(route, Integer.toString(status));
    }

    /** One request by its status label: a code, or {@link ClientClosedException#statusLabel()} when no answer was sent. */
    void request(String route, String status) {
        requests.computeIfAbsent(new RouteStatus(route, status), k -> new LongAdder()).increment();
    }

    void promptTokens(long n) {
        promptTokens.add(n);
    }

    /** Tokens of ended generations, from their usage (exact). */
    void generatedTokens(long n) {
        generatedTokens.add(n);
    }

    /**
     * Tokens generated just now, for the rate: counted as they stream, one per token event, so
     * the gauge moves while generations run.
     */
    void tokensStreamed(long n) {
        if (n <= 0) {
            return;
        }
        long second = Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
        int i = (int) Math.floorMod(second, (long) bucketSecond.length);
        synchronized (bucketSecond) {
            if (bucketSecond[i] != second) {
                bucketSecond[i] = second;
                bucketTokens[i] = 0;
            }
            bucketTokens[i] += n;
        }
    }

    /**
     * Tokens per second over the last {@link #RATE_WINDOW_SECONDS} whole seconds (the current,
     * partial second excluded, so the value does not dip at each second's start).
     */
    double tokensPerSecond() {
        long now = Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
        long sum = 0;
        synchronized (bucketSecond) {
            for (int i = 0; i < bucketSecond.length; i++) {
                long age = now - bucketSecond[i];
                if (age >= 1 && age <= RATE_WINDOW_SECONDS) {
                    sum += bucketTokens[i];
                }
            }
        }
        return (double) sum / RATE_WINDOW_SECONDS;
    }

    long requestCount(String route, int status) {
        return requestCount(route, Integer.toString(status));
    }

    long requestCount(String route, String status) {
        LongAdder a = requests.get(new RouteStatus(route, status));
        return a == null ? 0 : a.sum();
    }

    long promptTokensTotal() {
        return promptTokens.sum();
    }

    long generatedTokensTotal() {
        return generatedTokens.sum();
    }

    /** The exposition; {@code engine} may be null (its lines are then left out). */
    String render(EngineStats engine) {
        StringBuilder sb = new StringBuilder(2048);
        header(sb, "infernet_http_requests_total", "counter", "HTTP requests, by route template and status code; client_closed: "
                + "the client went away before its answer, client_timeout: it sent its body too slowly and was closed.");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put("{route=\"" + escape(k.route()) + "\",status=\"" + k.status() + "\"}", v.sum()));
        sorted.forEach((labels, v) -> sb.append("infernet_http_requests_total").append(labels).append(' ').append(v).append('\n'));

        metric(sb, "infernet_prompt_tokens_total", "counter", "Prompt tokens of generations started.", promptTokens.sum());
        metric(sb, "infernet_generated_tokens_total", "counter", "Tokens generated by ended generations (their usage).", generatedTokens.sum());
        metric(sb, "infernet_generated_tokens_per_second", "gauge",
                "Tokens generated per second, averaged over the last " + RATE_WINDOW_SECONDS + " seconds.", tokensPerSecond());

        if (engine != null) {
            metric(sb, "infernet_queue_depth", "gauge", "Requests waiting for a sequence slot.", engine.queueDepth());
            metric(sb, "infernet_active_sequences", "gauge", "Sequences being decoded.", engine.activeSequences());
            metric(sb, "infernet_kv_cache_used_cells", "gauge", "KV cache cells in use.", engine.kvCacheUsedCells());
            metric(sb, "infernet_kv_cache_active_cells", "gauge", "KV cache cells running sequences hold (the other used cells keep "
                    + "finished prompts for reuse).", engine.kvCacheActiveCells());
            if (engine.kvCacheTotalCells() > 0) {
                metric(sb, "infernet_kv_cache_total_cells", "gauge", "KV cache cells in all.", engine.kvCacheTotalCells());
                metric(sb, "infernet_kv_cache_usage_ratio", "gauge", "Fraction of the KV cache in use.",
                        (double) engine.kvCacheUsedCells() / engine.kvCacheTotalCells());
            }
            metric(sb, "infernet_prompt_cache_hits_total", "counter", "Requests that reused a cached prompt prefix.", engine.promptCacheHits());
            metric(sb, "infernet_prompt_cache_misses_total", "counter", "Requests that found no cached prompt prefix.", engine.promptCacheMisses());
            metric(sb, "infernet_prompt_cache_bytes", "gauge", "Bytes held by the prompt cache.", engine.promptCacheBytes());
        }
        return sb.toString();
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void metric(StringBuilder sb, String name, String type, String help, long value) {
        header(sb, name, type, help);
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void metric(StringBuilder sb, String name, String type, String help, double value) {
        header(sb, name, type, help);
        sb.append(name).append(' ').append(formatDouble(value)).append('\n');
    }

    static String formatDouble(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(v);
    }

    /** Label values escape backslash, double quote and newline. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
