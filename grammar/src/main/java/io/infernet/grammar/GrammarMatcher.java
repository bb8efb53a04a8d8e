package io.infernet.grammar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where one sequence stands in its grammar. Per step: {@link #fillMask} (the tokens allowed next),
 * mask the logits ({@link TokenMask#apply}), sample, then {@link #accept} the token. A token may end
 * inside a multi-byte UTF-8 character; the next token continues it.
 *
 * <p>End-of-generation tokens are allowed exactly when {@link #canTerminate()}; accepting one
 * terminates the matcher. Calls take the {@link CompiledGrammar}'s lock; a matcher itself is meant
 * for one sequence at a time.
 */
public final class GrammarMatcher {
    /** {@code tokensLeft} value meaning no limit. */
    public static final int UNLIMITED = -1;

    private final CompiledGrammar grammar;
    private CompiledGrammar.State state;
    private boolean terminated;

    GrammarMatcher(CompiledGrammar grammar, CompiledGrammar.State state) {
        this.grammar = grammar;
        this.state = state;
    }

    public CompiledGrammar grammar() {
        return grammar;
    }

    /** Number of tokens a mask covers; a mask needs {@code (vocabSize() + 63) / 64} words. */
    public int vocabSize() {
        return grammar.vocab.size();
    }

    /** Writes the allowed next tokens into {@code mask} (bit {@code t & 63} of word {@code t >>> 6}). */
    public void fillMask(long[] mask) {
        fillMask(mask, UNLIMITED);
    }

    /**
     * As {@link #fillMask(long[])}, but when {@code tokensLeft} (the tokens this sequence may still
     * generate, this one included) is about to run out, allows only tokens after which the grammar can
     * still be completed in time, counting one token per byte: a sequence that starts with
     * {@code tokensLeft >= } {@link #minBytesToComplete()} always ends complete, provided the
     * vocabulary has a single-byte token for each byte it needs (byte-fallback and byte-level BPE
     * vocabularies do). Masks under a binding budget are not cached; far from the end, this costs
     * what {@link #fillMask(long[])} does.
     *
     * @param tokensLeft {@link #UNLIMITED}, or the number of tokens left, {@code >= 1}
     */
    public void fillMask(long[] mask, int tokensLeft) {
        grammar.lock.lock();
        try {
            if (terminated) {
                java.util.Arrays.fill(mask, 0L);
                return;
            }
            grammar.fillMask(state, mask, tokensLeft == UNLIMITED ? -1 : Math.max(0, tokensLeft - 1));
        } finally {
            grammar.lock.unlock();
        }
    }

    /** Whether {@code token} is allowed next. */
    public boolean isAllowed(int token) {
        grammar.lock.lock();
        try {
            return !terminated && next(token) != null;
        } finally {
            grammar.lock.unlock();
        }
    }

    /**
     * Advances past a token.
     *
     * @throws IllegalArgumentException if the token is not allowed here (the state is unchanged)
     */
    public void accept(int token) {
        if (!tryAccept(token)) {
            throw new IllegalArgumentException("token " + token + " is not allowed by the grammar here"
                    + (terminated ? " (the matcher has terminated)" : ""));
        }
    }

    /** Advances past a token if it is allowed; returns whether it was. */
    public boolean tryAccept(int token) {
        grammar.lock.lock();
        try {
            if (terminated) {
                return false;
            }
            CompiledGrammar.State n = next(token);
            if (n == null) {
                return false;
            }
            if (grammar.vocab.isEndOfGeneration(token)) {
                terminated = true;
            } else {
                state = n;
            }
            return true;
        } finally {
            grammar.lock.unlock();
        }
    }

    /** Advances past raw bytes (text not produced token by token); false and unchanged if refused. */
    public boolean acceptBytes(byte[] bytes) {
        grammar.lock.lock();
        try {
            if (terminated) {
                return false;
            }
            CompiledGrammar.State n = grammar.step(state, bytes, 0, bytes.length);
            if (n == CompiledGrammar.DEAD) {
                return false;
            }
            state = n;
            return true;
        } finally {
            grammar.lock.unlock();
        }
    }

    public boolean acceptString(String text) {
        return acceptBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The state after {@code token}, or null if refused. Caller holds the lock. */
    private CompiledGrammar.State next(int token) {
        Vocabulary v = grammar.vocab;
        if (token < 0 || token >= v.size()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + v.size() + ")");
        }
        if (v.isEndOfGeneration(token)) {
            return state.end ? state : null;
        }
        byte[] p = v.pieceRef(token);
        if (p.length == 0) {
            return null;
        }
        CompiledGrammar.State n = grammar.step(state, p, 0, p.length);
        return n == CompiledGrammar.DEAD ? null : n;
    }

    /** Whether the text so far is a complete sentence of the grammar (an end-of-generation token is allowed). */
    public boolean canTerminate() {
        return terminated || state.end;
    }

    /** Whether nothing can follow: an end-of-generation token was accepted, or the grammar admits no more bytes. */
    public boolean isComplete() {
        return terminated || (state.end && state.stacks.length == 0);
    }

    /** Whether an end-of-generation token was accepted. */
    public boolean isTerminated() {
        return terminated;
    }

    /** The fewest bytes that complete the grammar from here (0 if it can end now). */
    public int minBytesToComplete() {
        return terminated ? 0 : state.dist;
    }

    /**
     * The bytes that must come next whatever is generated: the longest run along which each step
     * allows exactly one byte and the grammar cannot end (empty if there is a choice now). A caller
     * may tokenize and accept them without sampling (a {@code {"name": "} prefix, say).
     */
    public byte[] forcedBytes() {
        grammar.lock.lock();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CompiledGrammar.State st = state;
            while (!terminated && !st.end && out.size() < 4096) {
                int only = -1;
                for (int b = 0; b < 256; b++) {
                    if (grammar.step(st, b) != CompiledGrammar.DEAD) {
                        if (only >= 0) {
                            only = -2;
                            break;
                        }
                        only = b;
                    }
                }
                if (only < 0) {
                    break;
                }
                out.write(only);
                st = grammar.step(st, only);
            }
            return out.toByteArray();
        } finally {
            grammar.lock.unlock();
        }
    }

    /** Back to the grammar's start. */
    public void reset() {
        grammar.lock.lock();
        try {
            state = grammar.initial();
            terminated = false;
        } finally {
            grammar.lock.unlock();
        }
    }

    /** An independent matcher in the same place (for a sequence forked from this one). */
    public GrammarMatcher copy() {
        GrammarMatcher m = new GrammarMatcher(grammar, state);
        m.terminated = terminated;
        return m;
    }
}
