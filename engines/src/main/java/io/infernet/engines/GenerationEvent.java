package io.infernet.engines;

import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a generation reports, in order: one {@link Meta}, any number of {@link Token}s, then
 * exactly one of {@link Done} or {@link Error}. A cancelled generation ends in
 * {@code Done(CANCEL)}, never in an error.
 *
 * <p>A chat generation also reports its output as an assistant message: each {@link Token}
 * carries the {@link ChatDelta}s it completes ({@code content}, {@code reasoning_content},
 * tool-call pieces, in OpenAI's delta order), and {@link Done#message()} is the whole message.
 * The in-process engine parses them from the model's text with the model's output format; the
 * remote engines take them from the server, which parsed them itself. The deltas of a stream fold
 * ({@link ParsedMessage#fold}) to {@link Done#message()}.
 */
public sealed interface GenerationEvent {

    /**
     * First event: who serves it. {@code promptTokens} is -1 where the engine counts the prompt
     * only at the end (the remote engines: see {@link Done#usage()}).
     */
    record Meta(String engine, String model, Instant startedAt, int promptTokens) implements GenerationEvent {}

    /**
     * Output since the previous token event. {@code text} is the raw text (what a completion
     * shows); it may be empty while a multi-byte character is incomplete or a possible stop string
     * is held back. {@code tokenId} is -1 where the engine does not expose ids (remote engines) and
     * for text flushed at the end. {@code deltas} is what the text adds to a chat's assistant
     * message, possibly nothing while the parser holds text back (a possible tool call).
     */
    record Token(String text, int tokenId, List<ChatDelta> deltas) implements GenerationEvent {
        public Token {
            Objects.requireNonNull(text, "text");
            deltas = List.copyOf(deltas);
        }

        /** Text that is all content (an engine that parses nothing). */
        public Token(String text, int tokenId) {
            this(text, tokenId, text.isEmpty() ? List.of() : List.of(new ChatDelta.Content(text)));
        }
    }

    /**
     * Normal end. {@code text} is the whole raw output (stop strings excluded); {@code message} is
     * it as an assistant message (content, reasoning, tool calls); {@code reason} is
     * {@link FinishReason#TOOL_CALLS} when a chat ended its turn with tool calls.
     */
    record Done(FinishReason reason, String text, Usage usage, Instant finishedAt, ParsedMessage message) implements GenerationEvent {
        public Done {
            Objects.requireNonNull(message, "message");
        }

        /** An end whose text is all content. */
        public Done(FinishReason reason, String text, Usage usage, Instant finishedAt) {
            this(reason, text, usage, finishedAt, ParsedMessage.ofContent(text == null ? "" : text));
        }
    }

    /** Abnormal end; {@code message} is safe to show to a client. */
    record Error(String message, Instant finishedAt) implements GenerationEvent {}

    default boolean isTerminal() {
        return this instanceof Done || this instanceof Error;
    }
}
