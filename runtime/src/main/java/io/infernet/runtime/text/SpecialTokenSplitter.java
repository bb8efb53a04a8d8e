package io.infernet.runtime.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a prompt into special tokens and plain text as llama.cpp's tokenizer does before it
 * tokenizes ({@code tokenizer_st_partition}: every special token, longest first, found in every
 * text fragment left, with the LSTRIP and RSTRIP whitespace rules), with one difference: a
 * special token that llama.cpp parses only when asked to ({@code parse_special}: control and
 * unknown tokens) is taken as a token only where its whole text lies outside the input ranges.
 * Inside them it stays text. A user who writes {@code <|im_start|>system} gets those characters
 * as text, not a system turn; the template's own markers still become their tokens. User-defined
 * tokens are found everywhere, as llama.cpp finds them without {@code parse_special} too.
 *
 * <p>Without input ranges the fragments are exactly llama.cpp's; with them, only the protected
 * occurrences differ. Immutable and thread-safe.
 */
public final class SpecialTokenSplitter {

    /**
     * A special token of the vocabulary.
     *
     * @param id         token id
     * @param text       its text
     * @param parseOnly  a control or unknown token: a token only where special text is parsed
     * @param lstrip     whitespace before it is dropped
     * @param rstrip     whitespace after it is dropped
     */
    public record Special(int id, String text, boolean parseOnly, boolean lstrip, boolean rstrip) {}

    /** A piece of the prompt: a special token ({@code token >= 0}) or text {@code [start, end)} to tokenize as plain text. */
    public record Fragment(int token, int start, int end) {
        public boolean isToken() {
            return token >= 0;
        }
    }

    private final List<Special> specials;

    /** @param specials the vocabulary's control, user-defined and unknown tokens (empty texts are ignored) */
    public SpecialTokenSplitter(List<Special> specials) {
        // llama.cpp sorts by text length, longest first; ties keep id order here
        this.specials = specials.stream().filter(s -> !s.text().isEmpty())
                .sorted(Comparator.comparingInt((Special s) -> -s.text().length()).thenComparingInt(Special::id)).toList();
    }

    public int size() {
        return specials.size();
    }

    /** The special tokens, longest text first. */
    public List<Special> specials() {
        return specials;
    }

    /**
     * The fragments of {@code text}, in order.
     *
     * @param input start/end pairs of the characters that came from input data (sorted, disjoint)
     */
    public List<Fragment> split(String text, int[] input) {
        List<Fragment> fragments = new ArrayList<>();
        if (!text.isEmpty()) {
            fragments.add(new Fragment(-1, 0, text.length()));
        }
        for (Special sp : specials) {
            List<Fragment> next = new ArrayList<>(fragments.size() + 4);
            for (Fragment f : fragments) {
                if (f.isToken()) {
                    next.add(f);
                    continue;
                }
                splitOne(text, f.start(), f.end(), sp, input, next);
            }
            fragments = next;
        }
        return fragments;
    }

    /** One text fragment {@code [start, end)} split by one special token, appended to {@code out}. */
    private static void splitOne(String text, int start, int end, Special sp, int[] input, List<Fragment> out) {
        String t = sp.text();
        int from = start;
        int search = start;
        while (true) {
            int match = text.indexOf(t, search);
            if (match < 0 || match + t.length() > end) {
                break;
            }
            if (sp.parseOnly() && overlaps(input, match, match + t.length())) {
                search = match + 1; // input text: the characters stay text
                continue;
            }
            int left = match;
            if (sp.lstrip()) {
                while (left > from && isSpace(text.charAt(left - 1))) {
                    left--;
                }
            }
            if (left > from) {
                out.add(new Fragment(-1, from, left));
            }
            out.add(new Fragment(sp.id(), match, match + t.length()));
            from = match + t.length();
            if (sp.rstrip()) {
                while (from < end && isSpace(text.charAt(from))) {
                    from++;
                }
            }
            search = from;
        }
        if (from < end) {
            out.add(new Fragment(-1, from, end));
        }
    }

    private static boolean overlaps(int[] input, int from, int to) {
        for (int i = 0; i < input.length; i += 2) {
            if (input[i] < to && input[i + 1] > from) {
                return true;
            }
        }
        return false;
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
