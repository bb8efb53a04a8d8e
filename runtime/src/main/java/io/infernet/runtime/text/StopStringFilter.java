package io.infernet.runtime.text;

import java.util.List;

/**
 * Cuts generated text at the first stop string, across the boundaries of the pieces it arrives
 * in, and never lets any part of a stop string out.
 *
 * <p>Text that could still be the beginning of a stop string is held back until the next piece
 * settles it. The match that wins is the one that <em>ends</em> first (among those, the one
 * that starts first): what a character-by-character checker would see, so the result does not
 * depend on how the text was split into pieces. Everything before that match is emitted,
 * the match and anything after it are dropped.
 *
 * <p>Use: {@link #push} each piece and emit what it returns; once {@link #stopped()} is true the
 * generation should end (reason STOP) and further pushes return "". If the generation ends for
 * another reason, {@link #flush()} returns the held-back text, which then belongs to the output.
 *
 * <p>Not thread-safe: one instance per generation, used by one thread at a time.
 */
public final class StopStringFilter {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private String matched;

    /**
     * @param stops the stop strings, each non-empty; an empty list makes a filter that passes
     *     everything through unchanged
     */
    public StopStringFilter(List<String> stops) {
        this.stops = List.copyOf(stops);
        for (String s : this.stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /**
     * Adds the next piece of generated text.
     *
     * @return the text that is now certain to be output (possibly empty)
     */
    public String push(String piece) {
        if (matched != null) {
            return "";
        }
        if (stops.isEmpty()) {
            return piece;
        }
        held.append(piece);
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        String best = null;
        for (String stop : stops) {
            int start = held.indexOf(stop);
            if (start < 0) {
                continue;
            }
            int end = start + stop.length();
            if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                bestStart = start;
                bestEnd = end;
                best = stop;
            }
        }
        if (best != null) {
            matched = best;
            String out = held.substring(0, bestStart);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop string has matched; the output is complete. */
    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that matched, or null. */
    public String matched() {
        return matched;
    }

    /** Text held back so far; to be emitted when the generation ends without a stop. */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest proper suffix of {@code held} that is a prefix of some stop string. */
    private int longestSuffixThatStartsAStop() {
        int best = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, held.length());
            for (int len = max; len > best; len--) {
                if (regionMatches(held.length() - len, stop, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean regionMatches(int from, String stop, int len) {
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
