package io.infernet.engines;

import java.time.Instant;

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
     * Text produced since the previous token event. {@code text} may be empty while a multi-byte
     * character is incomplete or a possible stop string is held back; {@code tokenId} is -1 where
     * the engine does not expose ids (remote engines).
     */
    record Token(String text, int tokenId) implements GenerationEvent {}

    /** Normal end. {@code text} is the whole output (stop strings excluded). */
    record Done(FinishReason reason, String text, Usage usage, Instant finishedAt) implements GenerationEvent {}

    /**
     * Abnormal end; {@code message} is safe to show to a client. {@code kind} says whose doing it
     * was, as for a refusal up front ({@link EngineException.Kind#INVALID_REQUEST} for what the
     * request asked, {@link EngineException.Kind#UNAVAILABLE} while the engine restarts,
     * {@link EngineException.Kind#INTERNAL} otherwise); {@code param} names the request field at
     * fault, or is null.
     */
    record Error(String message, Instant finishedAt, EngineException.Kind kind, String param) implements GenerationEvent {
        public Error {
            java.util.Objects.requireNonNull(kind, "kind");
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
