package io.infernet.chat.parse;

import java.util.List;

/**
 * Matches one of several literals a character at a time, skipping whitespace before the first
 * character. Used between the parts of a call, where models vary the spacing.
 */
final class LiteralMatcher {
    private List<String> candidates;
    private final StringBuilder matched = new StringBuilder();

    /** Result of a character: still matching, which candidate completed, or no match. */
    static final int MORE = -1;
    static final int NONE = -2;

    void expect(List<String> literals) {
        this.candidates = literals;
        matched.setLength(0);
    }

    void expect(String literal) {
        expect(List.of(literal));
    }

    /** Returns the index of the completed candidate, {@link #MORE}, or {@link #NONE}. */
    int accept(char c) {
        if (matched.isEmpty() && JsonScanner.isSpace(c)) {
            return MORE;
        }
        matched.append(c);
        boolean any = false;
        for (int i = 0; i < candidates.size(); i++) {
            String candidate = candidates.get(i);
            if (candidate.length() >= matched.length() && candidate.startsWith(matched.toString())) {
                if (candidate.length() == matched.length()) {
                    return i;
                }
                any = true;
            }
        }
        return any ? MORE : NONE;
    }

    /** The characters taken by the current match (after leading whitespace), including a rejected last one. */
    String matched() {
        return matched.toString();
    }
}
