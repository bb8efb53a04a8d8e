package io.infernet.engines;

import java.time.Instant;
import java.util.List;

/**
 * What a generation reports, in order: one {@link Meta}, any number of {@link Token}s, then
 * exactly one of {@link Done} or {@link Error}. A cancelled generation ends in
 * {@code Done(CANCEL)}, never in an error.
 */
public sealed interface GenerationEvent {

    /**
     * First event: who serves it. {@code promptTokens} is -1 where the engine counts the prompt
     * only at the end (the remote engines: see {@link Done#usage()}).
     */
    record Meta(String engine, String model, Instant startedAt, int promptTokens) implements GenerationEvent {}

    /**
     * Text produced since the previous token event of the same choice. {@code text} may be empty
     * while a multi-byte character is incomplete or a possible stop string is held back;
     * {@code tokenId} is -1 where the engine does not expose ids (remote engines).
     *
     * @param index   which choice (0 unless the request asked for several)
     * @param logprob the token's log-probabilities when the request asked for them, else null
     */
    record Token(String text, int tokenId, int index, TokenLogprob logprob) implements GenerationEvent {
        /** A token of the only choice, without log-probabilities. */
        public Token(String text, int tokenId) {
            this(text, tokenId, 0, null);
        }
    }

    /**
     * Normal end: every choice has ended. {@code reason} and {@code text} are the first choice's
     * (the whole output, stop strings excluded); {@code choices} has every choice in index order;
     * {@code usage} counts the prompt once and the tokens of all choices.
     */
    record Done(FinishReason reason, String text, Usage usage, Instant finishedAt, List<Choice> choices) implements GenerationEvent {
        public Done {
            choices = List.copyOf(choices);
        }

        /** The end of a generation of one choice. */
        public Done(FinishReason reason, String text, Usage usage, Instant finishedAt) {
            this(reason, text, usage, finishedAt, List.of(new Choice(0, reason, text)));
        }
    }

    /** How one choice ended. */
    record Choice(int index, FinishReason reason, String text) {}

    /** Abnormal end; {@code message} is safe to show to a client. */
    record Error(String message, Instant finishedAt) implements GenerationEvent {}

    default boolean isTerminal() {
        return this instanceof Done || this instanceof Error;
    }
}
