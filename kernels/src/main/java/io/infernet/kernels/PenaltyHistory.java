package io.infernet.kernels;

/**
 * The tokens the repetition penalties look at: the last {@code window} accepted tokens (every
 * accepted token when {@code window == -1}), kept as a ring buffer, with a count per token and the
 * list of distinct tokens whose count is positive. Every operation is O(1) and allocation-free;
 * the arrays are sized once (three of them per vocabulary entry at most: counts, the slot of each
 * token in the distinct list, and the distinct list itself when unbounded).
 *
 * <p>Not thread-safe: owned by one {@link Sampler}.
 */
final class PenaltyHistory {

    private final int vocabSize;
    private final int window;
    /** The last {@code window} tokens, oldest at {@code head} once full; empty when unbounded. */
    private final int[] ring;
    private int head;
    private int size;
    /** Occurrences of each token id within the window. */
    private final int[] counts;
    /** Token ids with a positive count, in no particular order; {@code [0, distinctCount)}. */
    private final int[] distinct;
    /** Position of each token in {@code distinct}; meaningful only while its count is positive. */
    private final int[] slot;
    private int distinctCount;

    /**
     * @param vocabSize number of token ids, > 0
     * @param window    how many recent tokens count, > 0, or -1 for all of them
     */
    PenaltyHistory(int vocabSize, int window) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        }
        if (window == 0 || window < -1) {
            throw new IllegalArgumentException("penalty window must be > 0 or -1 (all), got " + window);
        }
        this.vocabSize = vocabSize;
        this.window = window;
        this.ring = new int[Math.max(window, 0)];
        this.counts = new int[vocabSize];
        this.distinct = new int[window > 0 ? Math.min(window, vocabSize) : vocabSize];
        this.slot = new int[vocabSize];
    }

    /** Records {@code token} as the newest; drops the oldest when the window is full. */
    void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        if (window > 0) {
            // Drop the oldest first, so the distinct list never holds more than `window` ids.
            if (size == window) {
                decrement(ring[head]);
            } else {
                size++;
            }
            ring[head] = token;
            head = head + 1 == window ? 0 : head + 1;
        }
        increment(token);
    }

    void clear() {
        for (int j = 0; j < distinctCount; j++) {
            counts[distinct[j]] = 0;
        }
        distinctCount = 0;
        head = 0;
        size = 0;
    }

    /** Number of distinct tokens in the window; their ids are {@code distinct()[0, distinctCount())}. */
    int distinctCount() {
        return distinctCount;
    }

    /** The distinct tokens (live view, valid up to {@link #distinctCount()}); do not modify. */
    int[] distinct() {
        return distinct;
    }

    /** Occurrences by token id (live view); do not modify. */
    int[] counts() {
        return counts;
    }

    int count(int token) {
        return counts[token];
    }

    private void increment(int token) {
        if (counts[token]++ == 0) {
            slot[token] = distinctCount;
            distinct[distinctCount++] = token;
        }
    }

    private void decrement(int token) {
        if (--counts[token] == 0) {
            int last = distinct[--distinctCount];
            distinct[slot[token]] = last;
            slot[last] = slot[token];
        }
    }
}
