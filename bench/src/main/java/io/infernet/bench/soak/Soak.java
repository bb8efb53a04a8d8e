package io.infernet.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The disconnect soak against a running server: rounds of {@code streams} concurrent streamed
 * chats, a fraction of which drop their connection at a random point (before the answer, or
 * after a random number of events); the others must finish correctly. After each round the
 * server's gauges must come back to where they were before any load (active sequences, KV cells
 * held by running sequences, queue), and its threads, descriptors and resident memory are taken.
 */
public final class Soak {

    /**
     * @param streams        concurrent streams per round
     * @param abortFraction  share of them that disconnect, in [0, 1]
     * @param maxTokens      max_tokens of each
     * @param rounds         rounds, one after another on the same server
     * @param seed           what is aborted, and where
     * @param settleTimeout  how long the gauges may take to come back after a round
     */
    public record Settings(int streams, double abortFraction, int maxTokens, int rounds, long seed, Duration settleTimeout) {}

    /** The server's state at one point: its gauges and its process. */
    public record Snapshot(String when, double activeSequences, double activeCells, double usedCells, double queueDepth,
                           double promptCacheBytes, ProcessFacts process) {
        /** Resident memory less what the prompt cache holds by design (it fills up to its budget): what a leak would grow. */
        public long rssBesidesCache() {
            return process.rssBytes() - (long) Math.max(0, promptCacheBytes);
        }
    }

    /** One round: what the streams did and the state once the server settled. */
    public record Round(int index, Map<String, Integer> outcomes, int planned, List<String> failures, Duration took, Snapshot after) {
        public int ok() {
            return outcomes.getOrDefault("ok", 0);
        }

        public int aborted() {
            return outcomes.getOrDefault("aborted", 0);
        }
    }

    private final URI base;
    private final long pid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param pid the server's process, for its /proc figures */
    public Soak(URI base, long pid) {
        this.base = base;
        this.pid = pid;
    }

    /** The gauges now (from /metrics) and the process's figures. */
    public Snapshot snapshot(String when) {
        Map<String, Double> m = metrics();
        return new Snapshot(when, m.getOrDefault("infernet_active_sequences", -1.0), m.getOrDefault("infernet_kv_cache_active_cells", -1.0),
                m.getOrDefault("infernet_kv_cache_used_cells", -1.0), m.getOrDefault("infernet_queue_depth", -1.0),
                m.getOrDefault("infernet_prompt_cache_bytes", 0.0), ProcessFacts.of(pid));
    }

    /** Runs one round of {@code s.streams()} streams and waits for the server to settle. */
    public Round round(int index, Settings s) throws InterruptedException {
        Random random = new Random(s.seed() * 1_000_003 + index);
        int planned = (int) Math.round(s.streams() * s.abortFraction());
        List<Integer> abortAt = new ArrayList<>();
        for (int i = 0; i < s.streams(); i++) {
            // The first `planned` streams drop: a quarter before the answer's head, the rest after 1..maxTokens events.
            abortAt.add(i >= planned ? -1 : random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(Math.max(1, s.maxTokens())));
        }
        java.util.Collections.shuffle(abortAt, random);
        long t0 = System.nanoTime();
        List<Future<SoakStream.Outcome>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < s.streams(); i++) {
                String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Soak round " + index + " stream " + i + ": tell me about "
                        + (1000 + random.nextInt(9000)) + "\"}],\"max_tokens\":" + s.maxTokens() + ",\"stream\":true,\"seed\":" + i + "}";
                int at = abortAt.get(i);
                futures.add(pool.submit(() -> SoakStream.run(base.getHost(), base.getPort(), body, at, 600_000)));
            }
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Future<SoakStream.Outcome> f : futures) {
            SoakStream.Outcome o;
            try {
                o = f.get();
            } catch (ExecutionException e) {
                o = new SoakStream.Outcome("client-bug", 0, String.valueOf(e.getCause()));
            }
            outcomes.merge(o.kind(), 1, Integer::sum);
            if (!o.ok() && !o.kind().equals("aborted")) {
                failures.add(o.kind() + ": " + o.detail());
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        return new Round(index, outcomes, planned, failures, took, settle("after round " + index, s.settleTimeout()));
    }

    /** Waits until no sequence runs, none waits and no KV cell is held by a running sequence; then the snapshot. */
    public Snapshot settle(String when, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Snapshot last = snapshot(when);
        while (!(last.activeSequences() == 0 && last.queueDepth() == 0 && last.activeCells() == 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = snapshot(when);
        }
        return last;
    }

    /** One request the usual way, to warm the server up before the baseline. */
    public int warmUp(int requests, int maxTokens) throws IOException, InterruptedException {
        int ok = 0;
        for (int i = 0; i < requests; i++) {
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"warm up " + i + "\"}],\"max_tokens\":" + maxTokens + "}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            ok += r.statusCode() == 200 ? 1 : 0;
        }
        return ok;
    }

    private Map<String, Double> metrics() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Double> out = new TreeMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.isBlank() || line.contains("{")) {
                    continue;
                }
                String[] f = line.split(" ");
                out.put(f[0], Double.parseDouble(f[1]));
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("GET /metrics failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
