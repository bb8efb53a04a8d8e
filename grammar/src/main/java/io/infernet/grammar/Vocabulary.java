package io.infernet.grammar;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model's tokens as the raw bytes each one detokenizes to, arranged as a trie so a mask walks
 * shared prefixes once. Build it once per model and share it: immutable and thread-safe.
 *
 * <p>A token with a null or empty piece is never allowed by a grammar (it would let a sequence
 * grow without progress), except the end-of-generation tokens, which are allowed exactly where the
 * grammar can end. The integrator computes pieces with llama.cpp's {@code llama_token_to_piece};
 * control tokens the grammar must never produce can be given empty pieces.
 */
public final class Vocabulary {
    private final int size;
    private final byte[][] pieces;
    private final int[] eog;
    private final long[] eogMask;

    // The trie in depth-first order; node 0 is the first child of the (implicit) root.
    final byte[] nodeByte;
    final int[] nodeDepth;
    /** Index of the first node after node i's subtree. */
    final int[] nodeEnd;
    /** Tokens ending at node i: {@code tokens[tokenStart[i] .. tokenStart[i + 1])}. */
    final int[] tokenStart;
    final int[] tokens;
    final int maxDepth;
    /**
     * Per node: if every token below it continues, from this node's byte to its end, with whole
     * UTF-8 characters that a JSON string holds unescaped (no quote, backslash or control character),
     * the most such characters any of them has; else -1.
     */
    final int[] safeChars;
    /** The tokens whose whole piece is such characters. */
    final long[] stringSafeTokens;

    private Vocabulary(byte[][] pieces, int[] eog) {
        this.size = pieces.length;
        this.pieces = new byte[size][];
        for (int i = 0; i < size; i++) {
            this.pieces[i] = pieces[i] == null ? new byte[0] : pieces[i].clone();
        }
        this.eog = eog.clone();
        this.eogMask = new long[words(size)];
        for (int t : eog) {
            if (t < 0 || t >= size) {
                throw new IllegalArgumentException("end-of-generation token " + t + " is outside the vocabulary [0, " + size + ")");
            }
            eogMask[t >>> 6] |= 1L << t;
        }
        Integer[] order = new Integer[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (this.pieces[i].length > 0 && (eogMask[i >>> 6] & (1L << i)) == 0) {
                order[n++] = i;
            }
        }
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(this.pieces[a], this.pieces[b]));
        long totalBytes = 0;
        for (int id : ids) {
            totalBytes += this.pieces[id].length;
        }
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, totalBytes);
        byte[] nb = new byte[cap];
        int[] nd = new int[cap];
        int[] ts = new int[cap + 1];
        int[] tk = new int[n];
        int nodes = 0;
        int k = 0;
        int depthMax = 0;
        byte[] prev = new byte[0];
        int[] safe = new int[cap];
        int[] path = new int[1];
        this.stringSafeTokens = new long[words(size)];
        for (int id : ids) {
            byte[] p = this.pieces[id];
            int lcp = 0;
            while (lcp < p.length && lcp < prev.length && p[lcp] == prev[lcp]) {
                lcp++;
            }
            if (path.length < p.length + 1) {
                path = Arrays.copyOf(path, Math.max(p.length + 1, path.length * 2));
            }
            for (int d = lcp; d < p.length; d++) {
                nb[nodes] = p[d];
                nd[nodes] = d + 1;
                ts[nodes] = k;
                path[d + 1] = nodes;
                nodes++;
            }
            tk[k++] = id; // ends at the deepest node of its path, the last one created
            depthMax = Math.max(depthMax, p.length);
            prev = p;
            int[] suffix = safeSuffixes(p);
            for (int d = 0; d < p.length; d++) {
                int node = path[d + 1];
                safe[node] = safe[node] < 0 || suffix[d] < 0 ? -1 : Math.max(safe[node], suffix[d]);
            }
            if (suffix[0] >= 0) {
                stringSafeTokens[id >>> 6] |= 1L << id;
            }
        }
        this.safeChars = Arrays.copyOf(safe, nodes);
        ts[nodes] = k;
        this.nodeByte = Arrays.copyOf(nb, nodes);
        this.nodeDepth = Arrays.copyOf(nd, nodes);
        this.tokenStart = Arrays.copyOf(ts, nodes + 1);
        this.tokens = tk;
        this.maxDepth = depthMax;
        this.nodeEnd = new int[nodes];
        int[] open = new int[depthMax + 2]; // open[d] = the node at depth d on the current path
        int top = 0;
        for (int i = 0; i < nodes; i++) {
            int d = nd[i];
            while (top >= d) {
                nodeEnd[open[top]] = i;
                top--;
            }
            open[++top] = i;
            top = d;
        }
        while (top > 0) {
            nodeEnd[open[top]] = nodes;
            top--;
        }
    }

    /**
     * Per start offset: how many characters the bytes from there to the end are, if they are whole
     * characters a JSON string holds unescaped; else -1.
     */
    private static int[] safeSuffixes(byte[] p) {
        int n = p.length;
        int[] safe = new int[n + 1];
        for (int d = n - 1; d >= 0; d--) {
            int len = charLength(p, d);
            safe[d] = len > 0 && safe[d + len] >= 0 ? safe[d + len] + 1 : -1;
        }
        return safe;
    }

    /** Length of the unescaped-safe UTF-8 character at p[d], or 0 if there is none there. */
    private static int charLength(byte[] p, int d) {
        int b = p[d] & 0xFF;
        if (b < 0x80) {
            return b >= 0x20 && b != '"' && b != '\\' && b != 0x7F ? 1 : 0;
        }
        int len;
        int lo = 0x80;
        int hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            lo = b == 0xE0 ? 0xA0 : 0x80;
            hi = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            lo = b == 0xF0 ? 0x90 : 0x80;
            hi = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (d + len > p.length) {
            return 0;
        }
        int c1 = p[d + 1] & 0xFF;
        if (c1 < lo || c1 > hi) {
            return 0;
        }
        for (int i = 2; i < len; i++) {
            int c = p[d + i] & 0xFF;
            if (c < 0x80 || c > 0xBF) {
                return 0;
            }
        }
        return len;
    }

    /**
     * @param pieces    per token id, the bytes it detokenizes to (null or empty: never allowed)
     * @param eogTokens the ids that end a generation
     */
    public static Vocabulary of(byte[][] pieces, int[] eogTokens) {
        Objects.requireNonNull(pieces, "pieces");
        Objects.requireNonNull(eogTokens, "eogTokens");
        return new Vocabulary(pieces, eogTokens);
    }

    /** Number of token ids; a mask has {@code (size() + 63) / 64} words. */
    public int size() {
        return size;
    }

    /** The bytes of a token (a copy). */
    public byte[] piece(int token) {
        return pieces[token].clone();
    }

    byte[] pieceRef(int token) {
        return pieces[token];
    }

    public boolean isEndOfGeneration(int token) {
        return token >= 0 && token < size && (eogMask[token >>> 6] & (1L << token)) != 0;
    }

    int[] eogTokens() {
        return eog;
    }

    long[] eogMask() {
        return eogMask;
    }

    /** The ids of the tokens whose piece starts with {@code prefix} (EOG and empty pieces excluded). */
    int[] tokensWithPrefix(byte[] prefix) {
        int n = nodeByte.length;
        int i = 0;
        for (int d = 0; d < prefix.length; d++) {
            if (d > 0) {
                i++; // first child of the node matched at depth d
                if (i >= n || nodeDepth[i] != d + 1) {
                    return new int[0];
                }
            }
            while (i < n && nodeDepth[i] == d + 1 && nodeByte[i] != prefix[d]) {
                i = nodeEnd[i];
            }
            if (i >= n || nodeDepth[i] != d + 1) {
                return new int[0];
            }
        }
        if (prefix.length == 0) {
            return Arrays.copyOf(tokens, tokens.length);
        }
        return Arrays.copyOfRange(tokens, tokenStart[i], tokenStart[nodeEnd[i]]);
    }

    int trieNodes() {
        return nodeByte.length;
    }

    static int words(int tokens) {
        return (tokens + 63) >>> 6;
    }
}
