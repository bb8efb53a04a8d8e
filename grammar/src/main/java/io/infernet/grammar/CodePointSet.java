package io.infernet.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sets of code points as sorted, disjoint, non-adjacent inclusive range pairs
 * {@code [lo0, hi0, lo1, hi1, ...]} within {@code [0, 0x10FFFF]}, and their UTF-8 encoding as
 * byte-range sequences.
 */
final class CodePointSet {
    static final int MAX = 0x10FFFF;

    private CodePointSet() {}

    /** Sorts and merges inclusive pairs (each with lo &lt;= hi, within [0, 0x10FFFF]). */
    static int[] normalize(int[] ranges) {
        if (ranges.length % 2 != 0) {
            throw new IllegalArgumentException("code point ranges come in pairs, got " + ranges.length + " values");
        }
        int n = ranges.length / 2;
        long[] pairs = new long[n];
        for (int i = 0; i < n; i++) {
            int lo = ranges[2 * i];
            int hi = ranges[2 * i + 1];
            if (lo < 0 || hi > MAX || lo > hi) {
                throw new IllegalArgumentException(String.format("bad code point range U+%04X-U+%04X", lo, hi));
            }
            pairs[i] = ((long) lo << 32) | hi;
        }
        Arrays.sort(pairs);
        int[] out = new int[ranges.length];
        int k = 0;
        for (long p : pairs) {
            int lo = (int) (p >>> 32);
            int hi = (int) p;
            if (k > 0 && lo <= out[k - 1] + 1) {
                out[k - 1] = Math.max(out[k - 1], hi);
            } else {
                out[k++] = lo;
                out[k++] = hi;
            }
        }
        return Arrays.copyOf(out, k);
    }

    static int[] complement(int[] set) {
        int[] out = new int[set.length + 2];
        int k = 0;
        int next = 0;
        for (int i = 0; i < set.length; i += 2) {
            if (set[i] > next) {
                out[k++] = next;
                out[k++] = set[i] - 1;
            }
            next = set[i + 1] + 1;
        }
        if (next <= MAX) {
            out[k++] = next;
            out[k++] = MAX;
        }
        return Arrays.copyOf(out, k);
    }

    static int[] union(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return normalize(all);
    }

    static int[] intersect(int[] a, int[] b) {
        return complement(union(complement(a), complement(b)));
    }

    static int[] minus(int[] a, int[] b) {
        return intersect(a, complement(b));
    }

    static boolean contains(int[] set, int cp) {
        for (int i = 0; i < set.length; i += 2) {
            if (cp >= set[i] && cp <= set[i + 1]) {
                return true;
            }
        }
        return false;
    }

    static boolean isEmpty(int[] set) {
        return set.length == 0;
    }

    /**
     * The UTF-8 encodings of the code points in {@code set} (surrogates left out) as sequences of
     * byte ranges: each element is {@code [lo0, hi0, lo1, hi1, ...]} for 1 to 4 bytes; a byte string
     * is in the set's encoding iff it matches exactly one sequence, byte by byte.
     */
    static List<int[]> utf8Sequences(int[] set) {
        int[] valid = minus(set, new int[] {0xD800, 0xDFFF});
        List<int[]> out = new ArrayList<>();
        int[][] bounds = {{0, 0x7F}, {0x80, 0x7FF}, {0x800, 0xFFFF}, {0x10000, MAX}};
        for (int i = 0; i < valid.length; i += 2) {
            for (int[] b : bounds) {
                int lo = Math.max(valid[i], b[0]);
                int hi = Math.min(valid[i + 1], b[1]);
                if (lo <= hi) {
                    split(lo, hi, out);
                }
            }
        }
        return out;
    }

    /** Splits [lo, hi] (same encoded length) into ranges whose byte sequences are rectangular. */
    private static void split(int lo, int hi, List<int[]> out) {
        int len = length(lo);
        for (int i = 1; i < len; i++) {
            int m = (1 << (6 * i)) - 1; // the low 6*i bits: the continuation bytes
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = Character.toString(lo).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] b = Character.toString(hi).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] seq = new int[2 * a.length];
        for (int i = 0; i < a.length; i++) {
            seq[2 * i] = a[i] & 0xFF;
            seq[2 * i + 1] = b[i] & 0xFF;
        }
        out.add(seq);
    }

    private static int length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}
