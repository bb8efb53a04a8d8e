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

    /** Every token with a piece, EOG tokens left out. */
    final TokenTrie trie;
    /**
     * Per node of {@link #trie}: if every token below it continues, from this node's byte to its
     * end, with whole UTF-8 characters that a JSON string holds unescaped (no quote, backslash or
     * control character), the most such characters any of them has; else -1.
     */
    final int[] safeChars;
    /** The tokens whose whole piece is such characters. */
    final long[] stringSafeTokens;
    /**
     * The tokens that, inside a JSON string, neither stay plain characters nor hit a control or
     * invalid byte first, keyed by their piece from the first other byte on (a quote, a backslash,
     * or a character cut at the token's end): all a string's inside needs to walk.
     */
    final TokenTrie stringExits;

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
        int n = 0;
        int[] ids = new int[size];
        for (int i = 0; i < size; i++) {
            if (this.pieces[i].length > 0 && (eogMask[i >>> 6] & (1L << i)) == 0) {
                ids[n++] = i;
            }
        }
        ids = Arrays.copyOf(ids, n);
        byte[][] keys = new byte[n][];
        long total = 0;
        for (int i = 0; i < n; i++) {
            keys[i] = this.pieces[ids[i]];
            total += keys[i].length;
        }
        int[] safe = new int[(int) Math.min(Integer.MAX_VALUE - 8, total)];
        long[] safeTokens = new long[words(size)];
        this.trie = new TokenTrie(keys, ids, (id, p, path) -> {
            int[] suffix = safeSuffixes(p);
            for (int d = 0; d < p.length; d++) {
                int node = path[d + 1];
                safe[node] = safe[node] < 0 || suffix[d] < 0 ? -1 : Math.max(safe[node], suffix[d]);
            }
            if (suffix[0] >= 0) {
                safeTokens[id >>> 6] |= 1L << id;
            }
        });
        this.stringSafeTokens = safeTokens;
        this.safeChars = Arrays.copyOf(safe, trie.size());
        int m = 0;
        byte[][] exitKeys = new byte[n][];
        int[] exitIds = new int[n];
        for (int i = 0; i < n; i++) {
            byte[] p = keys[i];
            int at = 0;
            for (int len; at < p.length && (len = charLength(p, at)) > 0; ) {
                at += len;
            }
            if (at < p.length && mayFollowInString(p[at] & 0xFF)) {
                exitKeys[m] = Arrays.copyOfRange(p, at, p.length);
                exitIds[m++] = ids[i];
            }
        }
        this.stringExits = new TokenTrie(Arrays.copyOf(exitKeys, m), Arrays.copyOf(exitIds, m), null);
    }

    /**
     * Whether a byte that is not a plain string character may still be taken inside a JSON string:
     * a quote, a backslash, a UTF-8 lead byte (a character cut at the token's end, or one that turns
     * out invalid: the automaton decides). Control characters, DEL and bytes no character starts
     * with are refused there.
     */
    private static boolean mayFollowInString(int b) {
        return b == '"' || b == '\\' || (b >= 0xC2 && b <= 0xF4);
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
        return trie.withPrefix(prefix);
    }

    int trieNodes() {
        return trie.size();
    }

    static int words(int tokens) {
        return (tokens + 63) >>> 6;
    }
}
