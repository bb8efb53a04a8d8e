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
     * Output of one choice since its previous token event. {@code text} is the raw text (what a
     * completion shows); it may be empty while a multi-byte character is incomplete or a possible
     * stop string is held back. {@code tokenId} is -1 where the engine does not expose ids (remote
     * engines) and for text flushed at the end. {@code deltas} is what the text adds to the choice's
     * assistant message (a chat), possibly nothing while the parser holds text back (a possible tool
     * call).
     *
     * @param index   which choice (0 unless the request asked for several)
     * @param logprob the token's log-probabilities when the request asked for them, else null
     */
    record Token(String text, int tokenId, List<ChatDelta> deltas, int index, TokenLogprob logprob) implements GenerationEvent {
        public Token {
            Objects.requireNonNull(text, "text");
            deltas = List.copyOf(deltas);
        }

        /** Text of the only choice that is all content (an engine that parses nothing), without log-probabilities. */
        public Token(String text, int tokenId) {
            this(text, tokenId, contentOf(text), 0, null);
        }

        /** Output of the only choice, without log-probabilities. */
        public Token(String text, int tokenId, List<ChatDelta> deltas) {
            this(text, tokenId, deltas, 0, null);
        }

        /** Text of choice {@code index} that is all content. */
        public Token(String text, int tokenId, int index, TokenLogprob logprob) {
            this(text, tokenId, contentOf(text), index, logprob);
        }

        private static List<ChatDelta> contentOf(String text) {
            return text.isEmpty() ? List.of() : List.of(new ChatDelta.Content(text));
        }
    }

    /**
     * Normal end: every choice has ended. {@code reason}, {@code text} and {@code message} are the
     * first choice's: its whole raw output (stop strings excluded) and that as an assistant message
     * (content, reasoning, tool calls); {@code reason} is {@link FinishReason#TOOL_CALLS} when a chat
     * ended its turn with tool calls. {@code choices} has every choice in index order; {@code usage}
     * counts the prompt once and the tokens of all choices.
     */
    record Done(FinishReason reason, String text, Usage usage, Instant finishedAt, ParsedMessage message, List<Choice> choices)
            implements GenerationEvent {
        public Done {
            Objects.requireNonNull(message, "message");
            choices = List.copyOf(choices);
        }

        /** The end of a generation of one choice whose text is all content. */
        public Done(FinishReason reason, String text, Usage usage, Instant finishedAt) {
            this(reason, text, usage, finishedAt, ParsedMessage.ofContent(text == null ? "" : text));
        }

        /** The end of a generation of one choice. */
        public Done(FinishReason reason, String text, Usage usage, Instant finishedAt, ParsedMessage message) {
            this(reason, text, usage, finishedAt, message, List.of(new Choice(0, reason, text, message)));
        }

        /** The end of a generation of several choices; the first one's reason, text and message lead. */
        public Done(Usage usage, Instant finishedAt, List<Choice> choices) {
            this(choices.getFirst().reason(), choices.getFirst().text(), usage, finishedAt, choices.getFirst().message(), choices);
        }
    }

    /** How one choice ended: its reason, whole raw text and that as an assistant message. */
    record Choice(int index, FinishReason reason, String text, ParsedMessage message) {
        public Choice {
            Objects.requireNonNull(message, "message");
        }

        /** A choice whose text is all content. */
        public Choice(int index, FinishReason reason, String text) {
            this(index, reason, text, ParsedMessage.ofContent(text == null ? "" : text));
        }
    }

    /**
     * Abnormal end; {@code message} is safe to show to a client. {@code kind} says whose doing it
     * was, as for a refusal up front ({@link EngineException.Kind#INVALID_REQUEST} for what the
     * request asked, {@link EngineException.Kind#UNAVAILABLE} while the engine restarts,
     * {@link EngineException.Kind#INTERNAL} otherwise); {@code param} names the request field at
     * fault, or is null.
     */
    record Error(String message, Instant finishedAt, EngineException.Kind kind, String param) implements GenerationEvent {
        public Error {
            Objects.requireNonNull(kind, "kind");
        }

        /** An engine failure (INTERNAL) with no field at fault. */
        public Error(String message, Instant finishedAt) {
            this(message, finishedAt, EngineException.Kind.INTERNAL, null);
        }
    }

    default boolean isTerminal() {
        return this instanceof Done || this instanceof Error;
    }
}
