package io.infernet.runtime.text;

import java.util.List;

/**
 * Applies stop strings to streamed text: text that could be the start of a stop string is
 * held back until it is known not to be one, and neither the stop string nor anything after
 * it is ever emitted. Pure; one instance per generation; not thread-safe.
 */
public final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    public StopStringFilter(List<String> stops) {
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** Whether a stop string has matched; after that, {@link #push} returns "". */
    public boolean stopped() {
        return stopped;
    }

    /** Adds generated text and returns what can be emitted now. */
    public String push(String text) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        held.append(text);
        int earliest = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (earliest < 0 || i < earliest)) {
                earliest = i;
            }
        }
        if (earliest >= 0) {
            stopped = true;
            String out = held.substring(0, earliest);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** At the end of a generation without a match: the text still held back. */
    public String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        int n = held.length();
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, n); k > best; k--) {
                if (startsWith(n - k, s, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    private boolean startsWith(int from, String s, int k) {
        for (int i = 0; i < k; i++) {
            if (held.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
