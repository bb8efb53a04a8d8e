package io.infernet.engines.remote;

import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The running generations of one remote engine, so that closing the engine cancels them. Thread-safe. */
public final class SessionRegistry {

    /** How long {@link #close} waits for cancelled generations to report {@code Done(CANCEL)}. */
    private static final long CLOSE_WAIT_MS = 2000;

    private final Set<Generation> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @throws EngineException UNAVAILABLE once the engine is closed */
    public void checkOpen(String server) {
        if (closed) {
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "the client of the " + server + " is closed");
        }
    }

    /**
     * Registers the generation {@code start} makes; {@code start} gets the callback the
     * generation runs when it ends (which forgets it).
     */
    public <G extends Generation> G track(Function<Runnable, G> start) {
        Generation[] self = new Generation[1];
        G g = start.apply(() -> {
            synchronized (self) {
                if (self[0] != null) {
                    running.remove(self[0]);
                }
                self[0] = DONE;
            }
        });
        synchronized (self) {
            if (self[0] != DONE) {
                self[0] = g;
                running.add(g);
            }
        }
        if (closed) {
            g.cancel();
        }
        return g;
    }

    public int running() {
        return running.size();
    }

    /** Refuses new generations, cancels the running ones and waits briefly for them to end. */
    public void close() {
        closed = true;
        Set<Generation> now = Set.copyOf(running);
        now.forEach(Generation::cancel);
        CompletableFuture<?>[] all = now.stream().map(Generation::completion).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // ended or not, the connections are dropped next
        }
    }

    private static final Generation DONE = new Generation() {
        @Override
        public void cancel() {}

        @Override
        public CompletableFuture<io.infernet.engines.GenerationEvent> completion() {
            return CompletableFuture.completedFuture(null);
        }
    };
}
