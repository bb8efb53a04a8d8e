package io.infernet.engines.inprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.chat.parse.CallSyntax;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.DecodingOptions.ToolCallConstraint;
import io.infernet.grammar.LazyGrammarMatcher;
import io.infernet.grammar.TokenMask;
import io.infernet.natives.Progress;
import io.infernet.runtime.Model;
import io.infernet.runtime.Vocab;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.serve.OutputConstraint;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A control token a chat format shows to its parser (Mistral's {@code [TOOL_CALLS]}, gpt-oss's
 * channel markers: {@code ServeRequest.shownControl}) is seen by the request's grammar as the same
 * text: a tool-call grammar that opens with the marker allows the control token itself, and a lazy
 * one is triggered by it. Without the shown set the token is empty to the grammar (never allowed,
 * never a trigger). Stand-in: the tiny model's {@code <s>} control token as the marker of a
 * Mistral-like call syntax {@code <s>[{"name": ..., "arguments": ...}]}.
 */
@Tag("native")
class ShownControlGrammarTest {
    static Model model;
    static Vocab vocab;
    static int marker;
    static BitSet shown;
    static final CallSyntax SYNTAX = new CallSyntax(List.of("<s>"), "<s>[",
            List.of(new CallSyntax.Literal("{\"name\": \""), CallSyntax.Slot.NAME, new CallSyntax.Literal("\", \"arguments\": "),
                    CallSyntax.Slot.ARGUMENTS, new CallSyntax.Literal("}")), ", ", "]", null, null, true);
    static final List<ToolCallConstraint.Tool> TOOLS = List.of(new ToolCallConstraint.Tool("ping", "{}"));

    @BeforeAll
    static void load() {
        model = Model.load(DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE));
        vocab = model.vocab();
        marker = vocab.bos();
        assertEquals("<s>", vocab.text(marker));
        shown = new BitSet();
        shown.set(marker);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static OutputConstraint constraint(ToolCallConstraint.Mode mode, BitSet shownControl) {
        Constraints c = new Constraints(vocab::grammarVocabulary);
        return c.of(DecodingOptions.DEFAULT.withToolCalls(new ToolCallConstraint(TOOLS, mode, null, true)), SYNTAX, shownControl);
    }

    @Test
    void theGrammarVocabularyRendersShownControlTokensAsTheirText() {
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), vocab.grammarVocabulary(shown).piece(marker));
        assertArrayEquals(new byte[0], vocab.grammarVocabulary().piece(marker), "hidden, as served output renders it");
        assertArrayEquals(new byte[0], vocab.grammarVocabulary(new BitSet()).piece(marker));
        assertSame(vocab.grammarVocabulary(shown), vocab.grammarVocabulary((BitSet) shown.clone()), "built once per set");
        int other = vocab.tokenize("hello", false, false)[0];
        assertArrayEquals(vocab.grammarVocabulary().piece(other), vocab.grammarVocabulary(shown).piece(other));
    }

    @Test
    void aRequiredCallMayOpenWithTheShownControlToken() {
        long[] mask = TokenMask.allocate(vocab.size());
        constraint(ToolCallConstraint.Mode.REQUIRED, shown).grammar().matcher().fillMask(mask);
        assertTrue(TokenMask.isAllowed(mask, marker), "the marker's own token opens the call");
        constraint(ToolCallConstraint.Mode.REQUIRED, null).grammar().matcher().fillMask(mask);
        assertFalse(TokenMask.isAllowed(mask, marker), "hidden, the token is empty to the grammar");
        assertTrue(TokenMask.count(mask) > 0, "the marker can still be spelled out in text");
    }

    @Test
    void theShownControlTokenTriggersALazyCall() {
        OutputConstraint auto = constraint(ToolCallConstraint.Mode.AUTO, shown);
        assertEquals(List.of("<s>"), auto.triggers());
        LazyGrammarMatcher m = new LazyGrammarMatcher(auto.grammar(), auto.triggers(), new int[0]);
        m.accept(vocab.tokenize("Sure.", false, false)[0]);
        assertFalse(m.isTriggered(), "free text first");
        m.accept(marker);
        assertTrue(m.isTriggered(), "the control token is the trigger word");
        assertTrue(m.inner().acceptString("[{\"name\": \"ping\", \"arguments\": {}}]"), "then the call follows the grammar");
        assertTrue(m.inner().isComplete());

        OutputConstraint hidden = constraint(ToolCallConstraint.Mode.AUTO, null);
        LazyGrammarMatcher h = new LazyGrammarMatcher(hidden.grammar(), hidden.triggers(), new int[0]);
        h.accept(marker);
        assertFalse(h.isTriggered(), "an empty piece triggers nothing");
    }
}
