package io.infernet.engines;

import java.util.concurrent.CompletableFuture;

/** A running generation. */
public interface Generation {

    /** Asks the engine to stop; idempotent. The generation then ends with {@code Done(CANCEL)}. */
    void cancel();

    /** Completes with the terminal event ({@link GenerationEvent.Done} or {@link GenerationEvent.Error}). */
    CompletableFuture<GenerationEvent> completion();
}
