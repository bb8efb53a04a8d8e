package io.infernet.engines.remote;

import io.infernet.engines.FinishReason;
import io.infernet.engines.TokenLogprob;
import io.infernet.engines.Usage;

/** What one line of a streamed response carries, in the words of the engine contract. */
public sealed interface StreamChunk {

    /**
     * Generated text (one token or a few) of choice {@code index}, with one token's log-probabilities
     * when the server sent them (null otherwise); a chunk with several tokens' log-probabilities is
     * decoded as its text with the first one, then empty texts with the others.
     */
    record Text(String text, int index, TokenLogprob logprob) implements StreamChunk {
        public Text(String text) {
            this(text, 0, null);
        }
    }

    /** The server says why choice {@code index} ended; the stream may still carry usage and other choices. */
    record Finish(FinishReason reason, int index) implements StreamChunk {
        public Finish(FinishReason reason) {
            this(reason, 0);
        }
    }

    /** Token counts as the server reports them. */
    record Counts(Usage usage) implements StreamChunk {}

    /** The stream is complete (SSE {@code [DONE]}, Ollama {@code "done": true}). */
    record End() implements StreamChunk {}

    /** The server reports an error in the stream; {@code message} is its words. */
    record Failed(String message) implements StreamChunk {}
}
