package io.infernet.server;

import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One running generation as an HTTP handler sees it: the engine thread hands events in, the
 * handler's (virtual) thread takes them out in order. Also feeds the token counters:
 * prompt tokens at Meta, the rate per token event, the generated total from Done's usage.
 *
 * <p>Threads: {@link #onEvent} on the engine's thread; {@link #next} on one handler thread;
 * {@link #cancel} from any thread.
 */
final class GenerationStream implements GenerationListener {

    private final BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private final Metrics metrics;
    private volatile Generation generation;

    GenerationStream(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Called once, right after the engine accepted the request. */
    void attach(Generation g) {
        this.generation = g;
    }

    Generation generation() {
        return generation;
    }

    @Override
    public void onEvent(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Meta m -> metrics.promptTokens(m.promptTokens());
            case GenerationEvent.Token t -> metrics.tokensStreamed(1);
            case GenerationEvent.Done d -> {
                if (d.usage() != null) {
                    metrics.generatedTokens(d.usage().completionTokens());
                }
            }
            case GenerationEvent.Error e -> { }
        }
        events.add(event);
    }

    /**
     * The next event, waiting at most {@code timeout}.
     *
     * @return the event, or null when none came in time
     */
    GenerationEvent next(Duration timeout) throws InterruptedException {
        if (timeout.isZero()) {
            return events.take();
        }
        return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Asks the engine to stop; the stream then ends with {@code Done(CANCEL)}. Idempotent. */
    void cancel() {
        Generation g = generation;
        if (g != null) {
            g.cancel();
        }
    }
}
