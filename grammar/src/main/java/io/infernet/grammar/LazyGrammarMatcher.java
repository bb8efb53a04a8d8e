package io.infernet.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A grammar that applies only from a trigger on ({@code tool_choice: "auto"}): until the generated
 * text contains one of the trigger words, or a trigger token is generated, every token is allowed;
 * from then on the text from the trigger's first byte must follow the grammar, which therefore
 * starts with the trigger (e.g. {@code <tool_call>}).
 *
 * <p>While waiting, a token that would complete a trigger is allowed only if the text from the
 * trigger through the end of that token fits the grammar (so a token like {@code <tool_call>\n\n\n}
 * cannot start a call the grammar then refuses); this costs a few prefix look-ups per step. The
 * text before the trigger is free. Same threading as {@link GrammarMatcher}.
 */
public final class LazyGrammarMatcher {
    private final CompiledGrammar grammar;
    private final byte[][] triggers;
    private final Set<Integer> triggerTokens;
    private final int[] containing;
    private final int keep;
    private GrammarMatcher inner;
    /** The last bytes of the text while waiting (at most the longest trigger minus one). */
    private byte[] tail = new byte[0];
    private long textBytes;
    private long triggerOffset = -1;

    /**
     * @param triggerWords  texts that start the grammar where they appear (each must fit its start)
     * @param triggerTokens token ids that start it when generated (their piece is fed to the grammar; an
     *                      empty piece, as control tokens have, starts the grammar right after the token)
     * @throws IllegalArgumentException if there is no trigger, or the grammar cannot start with one
     */
    public LazyGrammarMatcher(CompiledGrammar grammar, List<String> triggerWords, int[] triggerTokens) {
        this.grammar = Objects.requireNonNull(grammar, "grammar");
        this.triggers = triggerWords.stream().map(w -> w.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.triggerTokens = new LinkedHashSet<>();
        for (int t : triggerTokens) {
            this.triggerTokens.add(t);
        }
        if (triggers.length == 0 && this.triggerTokens.isEmpty()) {
            throw new IllegalArgumentException("a lazy grammar needs at least one trigger word or token");
        }
        for (byte[] w : triggers) {
            if (w.length == 0 || !grammar.matcher().acceptBytes(w)) {
                throw new IllegalArgumentException("trigger '" + new String(w, StandardCharsets.UTF_8)
                        + "' is not a start of the grammar; the grammar must begin with its trigger");
            }
        }
        for (int t : triggerTokens) {
            if (t < 0 || t >= grammar.vocab.size() || !grammar.matcher().acceptBytes(grammar.vocab.pieceRef(t))) {
                throw new IllegalArgumentException("trigger token " + t + " is outside the vocabulary or its text is not a start of the "
                        + "grammar (a token with an empty piece, a control token, starts the grammar right after it)");
            }
        }
        this.keep = Arrays.stream(triggers).mapToInt(w -> w.length - 1).max().orElse(0);
        Vocabulary v = grammar.vocab;
        List<Integer> with = new ArrayList<>();
        for (int t = 0; t < v.size(); t++) {
            byte[] p = v.pieceRef(t);
            for (byte[] w : triggers) {
                if (indexOf(p, w, 0) >= 0) {
                    with.add(t);
                    break;
                }
            }
        }
        this.containing = with.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the grammar applies now. */
    public boolean isTriggered() {
        return inner != null;
    }

    /** The byte offset in the generated text where the grammar started (the trigger), or -1. */
    public long triggerOffset() {
        return triggerOffset;
    }

    /** The matcher after the trigger, or null before. */
    public GrammarMatcher inner() {
        return inner;
    }

    public void fillMask(long[] mask) {
        fillMask(mask, GrammarMatcher.UNLIMITED);
    }

    /** The allowed tokens; before the trigger all but those that would start a call the grammar refuses. */
    public void fillMask(long[] mask, int tokensLeft) {
        if (inner != null) {
            inner.fillMask(mask, tokensLeft);
            return;
        }
        int size = grammar.vocab.size();
        TokenMask.allowAll(mask, size);
        for (int t : candidates()) {
            if (!fits(t)) {
                mask[t >>> 6] &= ~(1L << t);
            }
        }
    }

    public boolean isAllowed(int token) {
        return inner != null ? inner.isAllowed(token) : fits(token);
    }

    /**
     * Advances past a token; triggers the grammar if the token completes a trigger.
     *
     * @throws IllegalArgumentException if the token is not allowed
     */
    public void accept(int token) {
        if (inner != null) {
            inner.accept(token);
            return;
        }
        Trigger t = trigger(token);
        if (t == null) {
            byte[] p = grammar.vocab.pieceRef(token);
            byte[] buf = concat(tail, p);
            tail = Arrays.copyOfRange(buf, Math.max(0, buf.length - keep), buf.length);
            textBytes += p.length;
            return;
        }
        GrammarMatcher m = grammar.matcher();
        if (!m.acceptBytes(t.constrained)) {
            throw new IllegalArgumentException("token " + token + " starts a call the grammar refuses: '"
                    + new String(t.constrained, StandardCharsets.UTF_8) + "'");
        }
        byte[] p = grammar.vocab.pieceRef(token);
        triggerOffset = textBytes + p.length - t.constrained.length;
        textBytes += p.length;
        inner = m;
    }

    /** Before the trigger: yes (free text can stop anywhere); after: when the grammar can end. */
    public boolean canTerminate() {
        return inner == null || inner.canTerminate();
    }

    /** The bytes the grammar must see if {@code token} triggers it now, or null if it does not trigger. */
    private record Trigger(byte[] constrained) {}

    private Trigger trigger(int token) {
        byte[] p = grammar.vocab.pieceRef(token);
        if (triggerTokens.contains(token)) {
            return new Trigger(p);
        }
        byte[] buf = concat(tail, p);
        int best = -1;
        for (byte[] w : triggers) {
            // an occurrence that ends inside this token (earlier ones would have triggered already)
            int from = Math.max(0, tail.length - w.length + 1);
            int at = indexOf(buf, w, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best < 0 ? null : new Trigger(Arrays.copyOfRange(buf, best, buf.length));
    }

    private boolean fits(int token) {
        Trigger t = trigger(token);
        return t == null || grammar.matcher().acceptBytes(t.constrained);
    }

    /** Tokens that may trigger now: trigger tokens, tokens holding a trigger, tokens finishing one begun in the tail. */
    private Set<Integer> candidates() {
        Set<Integer> out = new LinkedHashSet<>(triggerTokens);
        for (int t : containing) {
            out.add(t);
        }
        for (byte[] w : triggers) {
            for (int k = Math.min(tail.length, w.length - 1); k >= 1; k--) {
                if (Arrays.equals(tail, tail.length - k, tail.length, w, 0, k)) {
                    for (int t : grammar.vocab.tokensWithPrefix(Arrays.copyOfRange(w, k, w.length))) {
                        out.add(t);
                    }
                }
            }
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
