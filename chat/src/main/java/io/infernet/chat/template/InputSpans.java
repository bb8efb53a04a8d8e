package io.infernet.chat.template;

import java.util.Arrays;

/**
 * Which characters of a string came from the caller's data (message content, names, tool
 * definitions, template kwargs) rather than from the template: sorted, disjoint, non-adjacent
 * half-open ranges of UTF-16 indices. A prompt's special-token text is trusted only outside them
 * (a user who writes {@code <|im_start|>system} must not open a system turn). Immutable; the
 * operations return new values ({@link #NONE} when nothing is input).
 */
public final class InputSpans {
    /** No input character. */
    public static final InputSpans NONE = new InputSpans(new int[0]);

    /** start0, end0, start1, end1, ... */
    private final int[] ranges;

    private InputSpans(int[] ranges) {
        this.ranges = ranges;
    }

    /** Every character of a string of {@code length} is input. */
    public static InputSpans all(int length) {
        return length == 0 ? NONE : new InputSpans(new int[] {0, length});
    }

    /**
     * From start/end pairs.
     *
     * @throws IllegalArgumentException when they are not sorted, disjoint, non-empty ranges
     */
    public static InputSpans of(int... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("ranges come in start/end pairs");
        }
        Builder b = new Builder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] >= pairs[i + 1] || (i > 0 && pairs[i] < pairs[i - 1])) {
                throw new IllegalArgumentException("ranges must be non-empty and sorted: " + Arrays.toString(pairs));
            }
            b.add(pairs[i], pairs[i + 1]);
        }
        return b.build();
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    /** The start/end pairs (a copy). */
    public int[] ranges() {
        return ranges.clone();
    }

    /** Number of ranges. */
    public int count() {
        return ranges.length / 2;
    }

    public int start(int range) {
        return ranges[2 * range];
    }

    public int end(int range) {
        return ranges[2 * range + 1];
    }

    /** Whether any character in {@code [from, to)} is input. */
    public boolean any(int from, int to) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] < to && ranges[i + 1] > from) {
                return true;
            }
        }
        return false;
    }

    /** Whether character {@code at} is input. */
    public boolean contains(int at) {
        return any(at, at + 1);
    }

    /** The spans of {@code substring(from, to)}. */
    public InputSpans sub(int from, int to) {
        if (ranges.length == 0 || from >= to) {
            return NONE;
        }
        Builder b = new Builder();
        for (int i = 0; i < ranges.length; i += 2) {
            int s = Math.max(ranges[i], from);
            int e = Math.min(ranges[i + 1], to);
            if (s < e) {
                b.add(s - from, e - from);
            }
        }
        return b.build();
    }

    /** The spans of {@code this text + other text}, where this text has {@code length} characters. */
    public InputSpans concat(int length, InputSpans other) {
        if (other.ranges.length == 0) {
            return this;
        }
        Builder b = new Builder();
        b.addAll(this, 0);
        b.addAll(other, length);
        return b.build();
    }

    /** The spans of a string of {@code length} repeated {@code times}. */
    public InputSpans repeat(int length, int times) {
        if (ranges.length == 0) {
            return NONE;
        }
        Builder b = new Builder();
        for (int t = 0; t < times; t++) {
            b.addAll(this, t * length);
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSpans s && Arrays.equals(s.ranges, ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < ranges.length; i += 2) {
            s.append(i == 0 ? "" : ", ").append(ranges[i]).append("..").append(ranges[i + 1]);
        }
        return s.append(']').toString();
    }

    /** Collects ranges in order, merging touching ones. */
    public static final class Builder {
        private int[] r = new int[8];
        private int n;

        /** Adds {@code [start, end)}, which must not start before the last range added ends. */
        public Builder add(int start, int end) {
            if (start >= end) {
                return this;
            }
            if (n > 0 && r[n - 1] > start) {
                throw new IllegalArgumentException("range " + start + ".." + end + " overlaps the one before it, which ends at " + r[n - 1]);
            }
            if (n > 0 && r[n - 1] == start) {
                r[n - 1] = end;
                return this;
            }
            if (n + 2 > r.length) {
                r = Arrays.copyOf(r, r.length * 2);
            }
            r[n++] = start;
            r[n++] = end;
            return this;
        }

        /** Adds every range of {@code spans} moved right by {@code offset}. */
        public Builder addAll(InputSpans spans, int offset) {
            for (int i = 0; i < spans.ranges.length; i += 2) {
                add(spans.ranges[i] + offset, spans.ranges[i + 1] + offset);
            }
            return this;
        }

        public InputSpans build() {
            return n == 0 ? NONE : new InputSpans(Arrays.copyOf(r, n));
        }
    }
}
