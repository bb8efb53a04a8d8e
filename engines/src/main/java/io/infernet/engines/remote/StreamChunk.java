package io.infernet.engines.remote;

import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;

/** What one line of a streamed response carries, in the words of the engine contract. */
public sealed interface StreamChunk {

    /** Generated text (one token or a few). */
    record Text(String text) implements StreamChunk {}

    /** The server says why the generation ended; the stream may still carry usage. */
    record Finish(FinishReason reason) implements StreamChunk {}

    /** Token counts as the server reports them. */
    record Counts(Usage usage) implements StreamChunk {}

    /** The stream is complete (SSE {@code [DONE]}, Ollama {@code "done": true}). */
    record End() implements StreamChunk {}

    /** The server reports an error in the stream; {@code message} is its words. */
    record Failed(String message) implements StreamChunk {}
}
