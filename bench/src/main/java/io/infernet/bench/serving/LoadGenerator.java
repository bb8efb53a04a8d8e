package io.infernet.bench.serving;

import io.infernet.bench.stats.Percentile;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Drives one concurrency level: {@code concurrency} streams at once, each sending
 * {@code requestsPerStream} requests one after another (a closed loop, as chat clients are).
 * Streams run on virtual threads: they only wait on sockets.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static ServingLevel run(ChatStream client, String model, List<String> prompts, int maxTokens, int concurrency, int requestsPerStream) {
        return run(client, model, prompts, maxTokens, concurrency, requestsPerStream, ChatStream.Sampling.GREEDY);
    }

    /** The prompt of request {@code i} of {@code stream} among {@code n} (openai_load.py picks the same). */
    static int promptIndex(int stream, int requestsPerStream, int i, int n) {
        return (stream * requestsPerStream + i) % n;
    }

    /** One level, each request sampled as {@code sampling} says (its seed per stream and request). */
    public static ServingLevel run(ChatStream client, String model, List<String> prompts, int maxTokens, int concurrency, int requestsPerStream,
                                   ChatStream.Sampling sampling) {
        if (concurrency < 1 || requestsPerStream < 1 || prompts.isEmpty()) {
            throw new IllegalArgumentException("need concurrency >= 1, requests >= 1 and at least one prompt");
        }
        List<ChatStream.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<ChatStream.Outcome>>> streams = new ArrayList<>();
            for (int s = 0; s < concurrency; s++) {
                int stream = s;
                streams.add(pool.submit(() -> {
                    List<ChatStream.Outcome> mine = new ArrayList<>();
                    for (int i = 0; i < requestsPerStream; i++) {
                        mine.add(client.sendBody(ChatStream.body(model, prompts.get(promptIndex(stream, requestsPerStream, i, prompts.size())), maxTokens,
                                sampling.temperature(), sampling.topP(), sampling.seedOf(stream, i))));
                    }
                    return mine;
                }));
            }
            for (Future<List<ChatStream.Outcome>> f : streams) {
                outcomes.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the serving benchmark", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a stream failed: " + e.getCause(), e.getCause());
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return summarize(concurrency, outcomes, wall);
    }

    /** The level's figures from its outcomes. Pure. */
    public static ServingLevel summarize(int concurrency, List<ChatStream.Outcome> outcomes, double wallSeconds) {
        long tokens = 0;
        int failed = 0;
        List<Double> ttft = new ArrayList<>();
        for (ChatStream.Outcome o : outcomes) {
            if (!o.ok()) {
                failed++;
                continue;
            }
            tokens += o.completionTokens();
            if (!Double.isNaN(o.ttftMs())) {
                ttft.add(o.ttftMs());
            }
        }
        double[] t = ttft.stream().mapToDouble(Double::doubleValue).toArray();
        double p50 = t.length == 0 ? Double.NaN : Percentile.of(t, 50);
        double p90 = t.length == 0 ? Double.NaN : Percentile.of(t, 90);
        double p99 = t.length == 0 ? Double.NaN : Percentile.of(t, 99);
        return new ServingLevel(concurrency, outcomes.size() - failed, failed, tokens, wallSeconds,
                wallSeconds > 0 ? tokens / wallSeconds : 0, p50, p90, p99);
    }
}
