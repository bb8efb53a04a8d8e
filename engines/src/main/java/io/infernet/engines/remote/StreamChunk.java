package io.infernet.engines.remote;

import io.infernet.engines.FinishReason;
import io.infernet.engines.TokenLogprob;
import io.infernet.engines.Usage;

/** What one line of a streamed response carries, in the words of the engine contract. */
public sealed interface StreamChunk {

    /**
     * Generated text (one token or a few) of choice {@code index}: content of a chat. It comes with
     * one token's log-probabilities when the server sent them (null otherwise); a chunk with several
     * tokens' log-probabilities is decoded as its text with the first one, then empty texts with the
     * others.
     */
    record Text(String text, int index, TokenLogprob logprob) implements StreamChunk {
        public Text(String text) {
            this(text, 0, null);
        }
    }

    /** Reasoning text of choice {@code index} the server separated from the content ({@code reasoning_content}, Ollama's {@code thinking}). */
    record Reasoning(String text, int index) implements StreamChunk {
        public Reasoning(String text) {
            this(text, 0);
        }
    }

    /**
     * A piece of a tool call the server parsed, of call {@code index} in choice {@code choice}: the
     * first piece of a call has its {@code name} (and its {@code id} when the server sends one), later
     * pieces add to its {@code arguments} text (null fields: not in this piece).
     */
    record ToolCallPiece(int index, String id, String name, String arguments, int choice) implements StreamChunk {
        /** A piece of the first choice. */
        public ToolCallPiece(int index, String id, String name, String arguments) {
            this(index, id, name, arguments, 0);
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
