package io.infernet.runtime.serve;

import io.infernet.kernels.SamplingParams;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * One generation for the serving engine, already tokenized.
 *
 * @param promptTokens the prompt (chat template applied by the caller)
 * @param sampling     how tokens are drawn
 * @param maxTokens    most tokens to generate, per choice (the context's end also stops it, as LENGTH)
 * @param stop         stop strings; matched text and what follows are not emitted
 * @param decoding     choices, log-probabilities and an output constraint
 * @param shownControl control tokens whose text is emitted (the markers a chat output parser reads, e.g.
 *                     {@code [TOOL_CALLS]}, as llama-server's "preserved tokens"); other control tokens emit
 *                     nothing. Null: none. Read-only once submitted. A constraint's grammar must see the same
 *                     pieces: compile it for {@link io.infernet.runtime.Vocab#grammarVocabulary(BitSet)} of this set
 */
public record ServeRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop, Decoding decoding,
                           BitSet shownControl) {
    public ServeRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        promptTokens = promptTokens.clone();
        decoding = decoding == null ? Decoding.DEFAULT : decoding;
    }

    /** One choice, no log-probabilities, no constraint; control tokens emit nothing. */
    public ServeRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop) {
        this(promptTokens, sampling, maxTokens, stop, Decoding.DEFAULT, null);
    }

    /** A request whose control tokens emit nothing. */
    public ServeRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop, Decoding decoding) {
        this(promptTokens, sampling, maxTokens, stop, decoding, null);
    }

    /** Whether {@code token}'s text is emitted even though it is a control token. */
    boolean showsControl(int token) {
        return shownControl != null && token >= 0 && shownControl.get(token);
    }
}
