package io.infernet.runtime.serve;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.DecodeStatus;

/**
 * Runs one {@code llama_decode} for the engine loop: {@link #LLAMA} in production; tests put one
 * here that returns a fatal status, which no real model can be made to produce on demand.
 */
@FunctionalInterface
interface Decoder {
    Decoder LLAMA = Context::decode;

    /** As {@link Context#decode}: a value for the recoverable statuses, an exception for the others. */
    DecodeStatus decode(Context ctx, Batch batch);
}
