package io.infernet.runtime.serve;

import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.GrammarMatcher;
import io.infernet.grammar.LazyGrammarMatcher;
import io.infernet.grammar.TokenMask;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * A grammar a request's output must follow, compiled for the served model's vocabulary: from the
 * first token (structured output, {@code tool_choice: "required"}), or lazily, from the first
 * trigger word the model writes on ({@code tool_choice: "auto"}). Immutable and shareable: each
 * sequence gets its own {@link Matcher}; compiled grammars are thread-safe and meant to be cached
 * by whoever compiles them (compiling is the expensive part, and happens off the engine thread).
 *
 * <p>Per step, on the engine thread, before the sampler: the sequence's matcher writes the tokens
 * allowed next into its mask and sets every other logit of the sequence's row to -infinity, in place
 * on llama.cpp's buffer; after the draw it advances past the drawn token. With a budget of tokens
 * left, only tokens after which the grammar can still complete in time are allowed, so an output
 * given at least {@link #minTokens()} tokens always completes.
 */
public final class OutputConstraint {
    private final CompiledGrammar grammar;
    private final List<String> triggers;
    private final int minTokens;

    private OutputConstraint(CompiledGrammar grammar, List<String> triggers) {
        this.grammar = Objects.requireNonNull(grammar, "grammar");
        this.triggers = List.copyOf(triggers);
        this.minTokens = triggers.isEmpty() ? grammar.matcher().minBytesToComplete() : 0;
    }

    /** The output follows {@code grammar} from its first token. */
    public static OutputConstraint of(CompiledGrammar grammar) {
        return new OutputConstraint(grammar, List.of());
    }

    /**
     * The output is free until it contains one of {@code triggerWords}; from the trigger's first
     * byte on it follows {@code grammar}, which must therefore begin with each trigger.
     *
     * @throws IllegalArgumentException when there is no trigger or the grammar cannot begin with one
     */
    public static OutputConstraint lazy(CompiledGrammar grammar, List<String> triggerWords) {
        if (triggerWords.isEmpty()) {
            throw new IllegalArgumentException("a lazy constraint needs at least one trigger word");
        }
        new LazyGrammarMatcher(grammar, triggerWords, new int[0]); // checks each trigger against the grammar's start
        return new OutputConstraint(grammar, triggerWords);
    }

    public CompiledGrammar grammar() {
        return grammar;
    }

    /** Trigger words of a lazy constraint; empty when it applies from the first token. */
    public List<String> triggers() {
        return triggers;
    }

    /** Tokens vocabulary ids cover; the served model's vocabulary must have exactly this many. */
    public int vocabSize() {
        return grammar.vocabulary().size();
    }

    /**
     * The fewest tokens that surely complete an output from the start, counting one token per byte
     * (0 for a lazy constraint: free text may end anywhere). A request with a smaller budget cannot
     * be promised a complete output.
     */
    public int minTokens() {
        return minTokens;
    }

    /** A matcher at the start, for one new sequence. */
    Matcher start() {
        return triggers.isEmpty() ? new Matcher(grammar.matcher(), null, vocabSize())
                : new Matcher(null, new LazyGrammarMatcher(grammar, triggers, new int[0]), vocabSize());
    }

    /** Where one sequence stands in the grammar, and its mask buffer. Engine thread only. */
    static final class Matcher {
        private final GrammarMatcher strict;
        private final LazyGrammarMatcher lazy;
        private final long[] mask;
        private final int vocabSize;

        private Matcher(GrammarMatcher strict, LazyGrammarMatcher lazy, int vocabSize) {
            this.strict = strict;
            this.lazy = lazy;
            this.vocabSize = vocabSize;
            this.mask = TokenMask.allocate(vocabSize);
        }

        /**
         * Sets the logits of the tokens not allowed next to -infinity, in place.
         *
         * @param row        the sequence's logits row ({@code vocabSize} float32 values)
         * @param tokensLeft tokens the sequence may still generate, this one included, {@code >= 1}
         * @return false when no token at all is allowed (the row is then left alone)
         */
        boolean mask(MemorySegment row, int tokensLeft) {
            if (strict != null) {
                strict.fillMask(mask, tokensLeft);
            } else {
                lazy.fillMask(mask, tokensLeft);
            }
            if (TokenMask.count(mask) == 0) {
                return false;
            }
            TokenMask.apply(row, mask, vocabSize);
            return true;
        }

        /** Advances past the drawn token (which the last mask allowed). */
        void accept(int token) {
            if (strict != null) {
                strict.accept(token);
            } else {
                lazy.accept(token);
            }
        }

        /** Whether nothing can follow: the grammar has reached an end that admits no more text. */
        boolean isComplete() {
            if (strict != null) {
                return strict.isComplete();
            }
            return lazy.isTriggered() && lazy.inner().isComplete();
        }
    }
}
