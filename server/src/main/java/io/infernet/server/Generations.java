package io.infernet.server;

import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts generations for HTTP handlers and keeps track of the running ones, so that shutdown
 * can cancel them all. Thread-safe.
 */
final class Generations {

    private final Engine engine;
    private final Metrics metrics;
    private final Set<Generation> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    Generations(Engine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    /**
     * Starts {@code request}.
     *
     * @throws ApiException the engine's refusal in HTTP terms, or 503 while shutting down
     */
    GenerationStream start(GenerationRequest request) {
        if (closing) {
            throw OpenAiErrors.shuttingDown();
        }
        GenerationStream stream = new GenerationStream(metrics);
        Generation g;
        try {
            g = engine.generate(request, stream);
        } catch (EngineException e) {
            throw OpenAiErrors.fromEngine(e);
        }
        stream.attach(g);
        running.add(g);
        g.completion().whenComplete((ev, err) -> running.remove(g));
        if (closing) { // close() may have swept the set before this one was in it
            g.cancel();
        }
        return stream;
    }

    /** Refuses new generations and cancels the running ones. */
    void cancelAll() {
        closing = true;
        for (Generation g : running) {
            g.cancel();
        }
    }

    /** Waits until every running generation has ended, at most {@code timeout}; true if all did. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] all = running.stream().map(Generation::completion).toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(all).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // ended, if badly
        }
    }

    int runningCount() {
        return running.size();
    }
}
