package io.infernet.grammar;

import java.util.Arrays;

/**
 * Byte strings (token pieces, or parts of them) with their token ids, as a trie in depth-first
 * order: shared prefixes appear once, a subtree is a contiguous range of nodes, and the tokens of a
 * subtree a contiguous range of {@link #tokens}. Node 0 is the first child of the implicit root.
 * Immutable.
 */
final class TokenTrie {
    final byte[] nodeByte;
    final int[] nodeDepth;
    /** Index of the first node after node i's subtree. */
    final int[] nodeEnd;
    /** Tokens whose string ends at node i: {@code tokens[tokenStart[i] .. tokenStart[i + 1])}. */
    final int[] tokenStart;
    final int[] tokens;
    final int maxDepth;

    /** Sees each entry once, in trie order, with the nodes of its path ({@code path[1..key.length]}). */
    interface PathVisitor {
        void visit(int id, byte[] key, int[] path);
    }

    /**
     * @param keys per entry, its bytes (non-empty)
     * @param ids  per entry, its token id
     */
    TokenTrie(byte[][] keys, int[] ids, PathVisitor visitor) {
        int n = keys.length;
        Integer[] order = new Integer[n];
        long totalBytes = 0;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            totalBytes += keys[i].length;
        }
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, totalBytes);
        byte[] nb = new byte[cap];
        int[] nd = new int[cap];
        int[] ts = new int[cap + 1];
        int[] tk = new int[n];
        int nodes = 0;
        int k = 0;
        int depthMax = 0;
        byte[] prev = new byte[0];
        int[] path = new int[1];
        for (int e : order) {
            byte[] p = keys[e];
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
            tk[k++] = ids[e]; // ends at the deepest node of its path, the last one created
            depthMax = Math.max(depthMax, p.length);
            prev = p;
            if (visitor != null) {
                visitor.visit(ids[e], p, path);
            }
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

    int size() {
        return nodeByte.length;
    }

    /** The ids of the entries whose key starts with {@code prefix}. */
    int[] withPrefix(byte[] prefix) {
        int n = nodeByte.length;
        if (prefix.length == 0) {
            return Arrays.copyOf(tokens, tokens.length);
        }
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
        return Arrays.copyOfRange(tokens, tokenStart[i], tokenStart[nodeEnd[i]]);
    }
}
