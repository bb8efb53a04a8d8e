package io.infernet.engines.remote;

import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;

/** What one line of a streamed response carries, in the words of the engine contract. */
public sealed interface StreamChunk {

    /** Generated text (one token or a few): content of a chat. */
    record Text(String text) implements StreamChunk {}

    /** Reasoning text the server separated from the content ({@code reasoning_content}, Ollama's {@code thinking}). */
    record Reasoning(String text) implements StreamChunk {}

    /**
     * A piece of a tool call the server parsed: the first piece of call {@code index} has its
     * {@code name} (and its {@code id} when the server sends one), later pieces add to its
     * {@code arguments} text (null fields: not in this piece).
     */
    record ToolCallPiece(int index, String id, String name, String arguments) implements StreamChunk {}

    /** The server says why the generation ended; the stream may still carry usage. */
    record Finish(FinishReason reason) implements StreamChunk {}

    /** Token counts as the server reports them. */
    record Counts(Usage usage) implements StreamChunk {}

    /** The stream is complete (SSE {@code [DONE]}, Ollama {@code "done": true}). */
    record End() implements StreamChunk {}

    /** The server reports an error in the stream; {@code message} is its words. */
    record Failed(String message) implements StreamChunk {}
}
