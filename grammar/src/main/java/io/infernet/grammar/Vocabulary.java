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
        for (int id : ids) {
            byte[] p = this.pieces[id];
            int lcp = 0;
            while (lcp < p.length && lcp < prev.length && p[lcp] == prev[lcp]) {
                lcp++;
            }
            for (int d = lcp; d < p.length; d++) {
                nb[nodes] = p[d];
                nd[nodes] = d + 1;
                ts[nodes] = k;
                nodes++;
            }
            tk[k++] = id; // ends at the deepest node of its path, the last one created
            depthMax = Math.max(depthMax, p.length);
            prev = p;
        }
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
