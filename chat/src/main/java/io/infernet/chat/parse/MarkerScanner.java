package io.infernet.chat.parse;

import java.util.List;

/**
 * Finds literal markers in text that arrives a character at a time, holding back only what could
 * still be the start of a marker. Text it releases never splits a UTF-16 surrogate pair.
 */
final class MarkerScanner {
    private List<String> markers;
    private int longest;
    private final StringBuilder held = new StringBuilder();

    MarkerScanner(List<String> markers) {
        setMarkers(markers);
    }

    void setMarkers(List<String> markers) {
        this.markers = List.copyOf(markers);
        int max = 0;
        for (String m : markers) {
            if (m.isEmpty()) {
                throw new IllegalArgumentException("empty marker");
            }
            max = Math.max(max, m.length());
        }
        this.longest = max;
    }

    /**
     * Takes one character. Appends the text now known not to be part of a marker to
     * {@code released}, and returns the marker that ends at this character (the longest one if
     * several do), or null. The text before a matched marker is released first.
     */
    String accept(char c, StringBuilder released) {
        held.append(c);
        String matched = null;
        for (String m : markers) {
            if (endsWith(held, m) && (matched == null || m.length() > matched.length())) {
                matched = m;
            }
        }
        if (matched != null) {
            released.append(held, 0, held.length() - matched.length());
            held.setLength(0);
            return matched;
        }
        int keep = 0;
        for (int k = Math.min(held.length(), longest - 1); k > 0; k--) {
            if (isMarkerPrefix(held, held.length() - k)) {
                keep = k;
                break;
            }
        }
        int cut = held.length() - keep;
        if (cut > 0 && Character.isHighSurrogate(held.charAt(cut - 1))) {
            cut--;
        }
        if (cut > 0) {
            released.append(held, 0, cut);
            held.delete(0, cut);
        }
        return null;
    }

    /** Releases everything held (the input ended). */
    String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    private boolean isMarkerPrefix(CharSequence s, int from) {
        int len = s.length() - from;
        for (String m : markers) {
            if (m.length() > len && regionMatches(s, from, m, len)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWith(CharSequence s, String suffix) {
        int from = s.length() - suffix.length();
        return from >= 0 && regionMatches(s, from, suffix, suffix.length());
    }

    private static boolean regionMatches(CharSequence s, int from, String m, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(from + i) != m.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
