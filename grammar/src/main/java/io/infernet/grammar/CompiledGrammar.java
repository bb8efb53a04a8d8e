package io.infernet.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A grammar bound to a vocabulary: what {@link GrammarMatcher}s of one request share. Build it once
 * per (grammar, vocabulary) and cache it if the same schema comes back; make a matcher per sequence.
 *
 * <p><b>How masks are made.</b> A matcher's state is the set of stacks (rule, automaton state,
 * caller chain) it can be in, interned here, so equal states are one object. The allowed tokens of a
 * state come from one walk of the vocabulary trie, following memoized byte transitions between
 * interned states: a subtree is skipped at the first byte the state refuses, and a byte already
 * followed from that state costs one array read. The mask is then cached with the state (up to
 * {@code maskCacheBytes}, oldest dropped first), so a state the generation comes back to, such as
 * the inside of a JSON string, costs one copy of the mask.
 *
 * <p><b>Threads.</b> Thread-safe: every matcher call takes this object's lock for its duration, so
 * matchers of one grammar on different threads take turns. The caches grow with the states visited
 * and are reset past {@link #MAX_STATES} states (the matchers keep working).
 */
public final class CompiledGrammar {
    /**
     * Interned states kept before the caches are reset: each holds up to 256 memoized transitions
     * (about 1 KiB), so this bounds a grammar's transition memory near 50 MiB, masks apart.
     */
    static final int MAX_STATES = 50_000;
    static final long DEFAULT_MASK_CACHE_BYTES = 16L << 20;
    /** With fewer bytes of budget beyond the state's distance to the end, the budget will likely bind: no full walk. */
    private static final int FULL_WALK_SLACK = 32;
    /** How far a chain of string-character successors is followed (longer runs are walked byte by byte). */
    private static final int CHAIN_CAP = 64;

    final Grammar grammar;
    final Automaton automaton;
    final Vocabulary vocab;
    final ReentrantLock lock = new ReentrantLock();
    private final int maxCachedMasks;
    private final int maxStates;
    private final Map<NodeKey, StackNode> nodes = new HashMap<>();
    private final Map<StateKey, State> states = new HashMap<>();
    private final ArrayDeque<State> masked = new ArrayDeque<>();
    private int nextNodeId;
    private final State initial;
    /** Counters for tests and benchmarks: trie walks done (those under a binding budget apart), masks served from the cache, resets. */
    long walks;
    long resets;
    long budgetWalks;
    long cacheHits;

    private CompiledGrammar(Grammar grammar, Vocabulary vocab, long maskCacheBytes, int maxStates) {
        this.grammar = grammar;
        this.maxStates = maxStates;
        this.automaton = Automaton.compile(grammar);
        this.vocab = vocab;
        this.maxCachedMasks = (int) Math.max(8, maskCacheBytes / (8L * Vocabulary.words(vocab.size())));
        lock.lock();
        try {
            this.initial = start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Compiles a grammar for a vocabulary.
     *
     * @throws GrammarException if the grammar is left-recursive, matches nothing, uses token
     *                          references or is too large
     */
    public static CompiledGrammar compile(Grammar grammar, Vocabulary vocab) {
        return compile(grammar, vocab, DEFAULT_MASK_CACHE_BYTES);
    }

    /** As {@link #compile(Grammar, Vocabulary)}, caching at most {@code maskCacheBytes} of masks. */
    public static CompiledGrammar compile(Grammar grammar, Vocabulary vocab, long maskCacheBytes) {
        return new CompiledGrammar(Objects.requireNonNull(grammar, "grammar"), Objects.requireNonNull(vocab, "vocab"), maskCacheBytes, MAX_STATES);
    }

    /** With a smaller bound on interned states, so tests can reach the reset. */
    static CompiledGrammar compile(Grammar grammar, Vocabulary vocab, long maskCacheBytes, int maxStates) {
        return new CompiledGrammar(grammar, vocab, maskCacheBytes, maxStates);
    }

    /** A matcher at the grammar's start, for one sequence. */
    public GrammarMatcher matcher() {
        return new GrammarMatcher(this, initial);
    }

    public Grammar grammar() {
        return grammar;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    State initial() {
        return initial;
    }

    // ---- states ----

    /** One frame: in {@code rule} at automaton {@code state}, returning to {@code parent} (null: the grammar's end). */
    static final class StackNode {
        final int rule;
        final int state;
        final StackNode parent;
        final int id;
        /** Fewest bytes from here to the grammar's end. */
        final int dist;

        StackNode(int rule, int state, StackNode parent, int id, int dist) {
            this.rule = rule;
            this.state = state;
            this.parent = parent;
            this.id = id;
            this.dist = dist;
        }
    }

    /** A matcher state: the stacks that can take a byte next, and whether the grammar can end here. */
    static final class State {
        final StackNode[] stacks;
        final boolean end;
        final int dist;
        /** Memoized transitions by byte; null entries not computed yet. */
        State[] next;
        long[] mask;
        /** The largest {@link #dist} among the states the mask's tokens lead to. */
        int maskMaxDist;
        /**
         * The state every character a JSON string holds unescaped leads to, if they all lead to one;
         * {@link #NO_SUCCESSOR} if not; null if not known yet. Itself inside a string.
         */
        State successor;
        /** Along the successor chain: the largest distance among the first k+1 states; null if not computed. */
        int[] chainMax;
        /** 0: not known yet; 1: the inside of a JSON string (see {@code insideJsonString}); 2: not. */
        byte insideString;
        /** Whether the chain ends in a loop (then any longer run stays within {@code chainMax}'s last value). */
        boolean chainLoops;

        State(StackNode[] stacks, boolean end) {
            this.stacks = stacks;
            this.end = end;
            int d = end ? 0 : Automaton.INF;
            for (StackNode s : stacks) {
                d = Math.min(d, s.dist);
            }
            this.dist = d;
        }

        boolean dead() {
            return stacks.length == 0 && !end;
        }
    }

    static final State DEAD = new State(new StackNode[0], false);
    private static final State NO_SUCCESSOR = new State(new StackNode[0], false);
    /** Lead byte ranges of UTF-8 characters and the ranges of their continuation bytes (no surrogates, no overlongs). */
    private static final int[][][] UTF8_SHAPES = {
        {{0xC2, 0xDF}, {0x80, 0xBF}},
        {{0xE0, 0xE0}, {0xA0, 0xBF}, {0x80, 0xBF}}, {{0xE1, 0xEC}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xED, 0xED}, {0x80, 0x9F}, {0x80, 0xBF}}, {{0xEE, 0xEF}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xF0, 0xF0}, {0x90, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}}, {{0xF1, 0xF3}, {0x80, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xF4, 0xF4}, {0x80, 0x8F}, {0x80, 0xBF}, {0x80, 0xBF}},
    };

    private record NodeKey(int rule, int state, int parent) {}

    private record StateKey(int[] ids, boolean end) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.end == end && Arrays.equals(k.ids, ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids) * 2 + (end ? 1 : 0);
        }
    }

    private StackNode node(int rule, int state, StackNode parent) {
        NodeKey key = new NodeKey(rule, state, parent == null ? -1 : parent.id);
        StackNode n = nodes.get(key);
        if (n == null) {
            int dist = automaton.minRemaining[rule][state] + (parent == null ? 0 : parent.dist);
            n = new StackNode(rule, state, parent, nextNodeId++, Math.min(dist, Automaton.INF));
            nodes.put(key, n);
        }
        return n;
    }

    private State start() {
        List<StackNode> out = new ArrayList<>();
        boolean[] end = {false};
        expand(node(automaton.root, 0, null), out, end, new HashSet<>());
        return state(out, end[0]);
    }

    /** Follows calls and returns from a frame until every stack can take a byte (or the grammar ends). */
    private void expand(StackNode n, List<StackNode> out, boolean[] end, HashSet<StackNode> visited) {
        if (!visited.add(n)) {
            return;
        }
        Automaton a = automaton;
        int r = n.rule;
        int s = n.state;
        if (a.consumes[r][s]) {
            out.add(n);
        }
        int[] c = a.calls[r][s];
        for (int i = 0; i < c.length; i += 2) {
            int ret = c[i + 1];
            StackNode back = a.finalOnly(r, ret) ? n.parent : node(r, ret, n.parent);
            expand(node(c[i], 0, back), out, end, visited);
        }
        if (a.accepting[r][s]) {
            if (n.parent == null) {
                end[0] = true;
            } else {
                expand(n.parent, out, end, visited);
            }
        }
    }

    private State state(List<StackNode> stacks, boolean end) {
        if (stacks.isEmpty() && !end) {
            return DEAD;
        }
        StackNode[] arr = stacks.toArray(StackNode[]::new);
        Arrays.sort(arr, (x, y) -> Integer.compare(x.id, y.id));
        int k = 0;
        for (int i = 0; i < arr.length; i++) {
            if (k == 0 || arr[k - 1] != arr[i]) {
                arr[k++] = arr[i];
            }
        }
        arr = Arrays.copyOf(arr, k);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = arr[i].id;
        }
        StateKey key = new StateKey(ids, end);
        State st = states.get(key);
        if (st == null) {
            st = new State(arr, end);
            states.put(key, st);
        }
        return st;
    }

    /** The state after one byte; {@link #DEAD} if the byte is refused. Caller holds the lock. */
    State step(State st, int b) {
        State[] next = st.next;
        if (next != null) {
            State n = next[b];
            if (n != null) {
                return n;
            }
        } else if (st != DEAD) {
            next = st.next = new State[256];
        } else {
            return DEAD;
        }
        boolean any = false;
        for (StackNode n : st.stacks) {
            any |= automaton.trans[n.rule][n.state * 256 + b] >= 0;
        }
        if (!any) { // the common case in a walk: refused at once, nothing to build
            next[b] = DEAD;
            return DEAD;
        }
        List<StackNode> out = new ArrayList<>(st.stacks.length + 2);
        boolean[] end = {false};
        HashSet<StackNode> visited = new HashSet<>();
        for (StackNode n : st.stacks) {
            int t = automaton.trans[n.rule][n.state * 256 + b];
            if (t >= 0) {
                expand(node(n.rule, t, n.parent), out, end, visited);
            }
        }
        State result = state(out, end[0]);
        next[b] = result;
        if (states.size() > maxStates) {
            reset();
        }
        return result;
    }

    /** The state after the bytes, or {@link #DEAD}. Caller holds the lock. */
    State step(State st, byte[] bytes, int from, int to) {
        for (int i = from; i < to && st != DEAD; i++) {
            st = step(st, bytes[i] & 0xFF);
        }
        return st;
    }

    /** Forgets interned states, memoized transitions and masks (states held by matchers stay valid). */
    private void reset() {
        resets++;
        for (State s : states.values()) {
            s.next = null;
            s.mask = null;
            s.successor = null;
            s.chainMax = null;
            s.insideString = 0;
        }
        states.clear();
        nodes.clear();
        masked.clear();
    }

    // ---- masks ----

    /**
     * Writes the tokens allowed after {@code st} into {@code mask} (bit t of word t/64); caches it.
     * With {@code budget >= 0} allows only tokens after which the grammar can still end within
     * {@code budget} bytes (one token per byte at worst), and caches nothing. Caller holds the lock.
     */
    void fillMask(State st, long[] mask, int budget) {
        int words = Vocabulary.words(vocab.size());
        if (mask.length < words) {
            throw new IllegalArgumentException("mask has " + mask.length + " words; a vocabulary of " + vocab.size() + " tokens needs " + words);
        }
        // A state's first mask is computed in full and cached, unless the budget is so close that it
        // will bind (then only the budgeted walk runs); a cached mask serves while the budget allows
        // every token in it.
        if (st.mask == null && (budget < 0 || budget >= st.dist + FULL_WALK_SLACK)) {
            long[] m = new long[words];
            st.maskMaxDist = walk(st, m, Automaton.INF);
            st.mask = m;
            masked.add(st);
            if (masked.size() > maxCachedMasks) {
                masked.poll().mask = null;
            }
        } else if (st.mask != null) {
            cacheHits++;
        }
        if (st.mask != null && (budget < 0 || st.maskMaxDist <= budget)) {
            System.arraycopy(st.mask, 0, mask, 0, words);
            Arrays.fill(mask, words, mask.length, 0L);
            addEog(st, mask);
            return;
        }
        Arrays.fill(mask, 0L);
        budgetWalks++;
        walk(st, mask, budget);
        if (isEmpty(mask) && !st.end) { // the budget cannot be met: allow what the grammar allows
            fillMask(st, mask, -1);
            return;
        }
        addEog(st, mask);
    }

    private void addEog(State st, long[] mask) {
        if (st.end) {
            long[] e = vocab.eogMask();
            for (int i = 0; i < e.length; i++) {
                mask[i] |= e[i];
            }
        }
    }

    private static boolean isEmpty(long[] mask) {
        for (long w : mask) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * One walk of the trie from {@code st}: sets the bit of every token whose bytes lead to a live
     * state with at most {@code budget} bytes left; returns the largest such distance.
     */
    private int walk(State st, long[] mask, int budget) {
        walks++;
        Vocabulary v = vocab;
        if (insideJsonString(st)) {
            // Plain characters stay here; a control or invalid byte is refused: only the tokens
            // that leave the string, escape or end mid-character need walking, from where they do.
            int maxDist = 0;
            if (st.dist <= budget) {
                long[] all = v.stringSafeTokens;
                for (int w = 0; w < all.length; w++) {
                    mask[w] |= all[w];
                }
                maxDist = st.dist;
            }
            return Math.max(maxDist, walk(v.stringExits, null, st, mask, budget));
        }
        return walk(v.trie, v.safeChars, st, mask, budget);
    }

    /**
     * One walk of {@code trie} from {@code st}; with {@code safeChars} (per node, see
     * {@link Vocabulary#safeChars}) subtrees of plain string characters are taken whole where they
     * lead along one chain of states.
     */
    private int walk(TokenTrie trie, int[] safeChars, State st, long[] mask, int budget) {
        byte[] nb = trie.nodeByte;
        int[] nd = trie.nodeDepth;
        int[] ne = trie.nodeEnd;
        int[] ts = trie.tokenStart;
        int[] tk = trie.tokens;
        State[] path = new State[trie.maxDepth + 1];
        path[0] = st;
        int maxDist = 0;
        boolean rootClosed = safeChars != null && successor(st) == st;
        if (rootClosed && st.dist <= budget) {
            long[] all = vocab.stringSafeTokens;
            for (int w = 0; w < all.length; w++) {
                mask[w] |= all[w];
            }
            maxDist = st.dist;
        }
        int n = nb.length;
        int i = 0;
        while (i < n) {
            int depth = nd[i];
            State from = path[depth - 1];
            if (safeChars != null && safeChars[i] >= 0) {
                // Every token below goes on with string characters: if they all lead from `from` along
                // one chain of states (a string's inside, a bounded run of characters), accept the
                // subtree without walking it.
                if (depth == 1 && rootClosed) {
                    i = ne[i];
                    continue;
                }
                int chainDist = chainDist(from, safeChars[i]);
                if (chainDist >= 0 && chainDist <= budget) {
                    maxDist = Math.max(maxDist, chainDist);
                    for (int k = ts[i], end = ts[ne[i]]; k < end; k++) {
                        int t = tk[k];
                        mask[t >>> 6] |= 1L << t;
                    }
                    i = ne[i];
                    continue;
                }
            }
            State to = step(from, nb[i] & 0xFF);
            if (to == DEAD) {
                i = ne[i];
                continue;
            }
            path[depth] = to;
            int t0 = ts[i];
            int t1 = ts[i + 1];
            if (t0 < t1 && to.dist <= budget) {
                maxDist = Math.max(maxDist, to.dist);
                for (int k = t0; k < t1; k++) {
                    int t = tk[k];
                    mask[t >>> 6] |= 1L << t;
                }
            }
            i++;
        }
        return maxDist;
    }

    /**
     * Whether {@code st} is the inside of a JSON string as far as tokens can tell: every plain
     * string character leads back to it, and control characters, DEL and bytes that start no UTF-8
     * character are refused.
     */
    private boolean insideJsonString(State st) {
        if (st.insideString == 0) {
            boolean ok = successor(st) == st;
            for (int b = 0; ok && b < 256; b++) {
                if (b < 0x20 || b == 0x7F || (b >= 0x80 && b < 0xC2) || b > 0xF4) {
                    ok = step(st, b) == DEAD;
                }
            }
            st.insideString = (byte) (ok ? 1 : 2);
        }
        return st.insideString == 1;
    }

    /**
     * If 1 to {@code chars} string characters (any of them) always lead from {@code st} to live
     * states along one chain, the largest distance to the end among those states; else -1.
     */
    private int chainDist(State st, int chars) {
        int[] max = st.chainMax;
        if (max == null) {
            int[] m = new int[CHAIN_CAP];
            int len = 0;
            int best = 0;
            State x = st;
            boolean loops = false;
            while (len < CHAIN_CAP) {
                State y = successor(x);
                if (y == NO_SUCCESSOR) {
                    break;
                }
                best = Math.max(best, y.dist);
                m[len++] = best;
                if (y == x) {
                    loops = true;
                    break;
                }
                x = y;
            }
            st.chainLoops = loops;
            st.chainMax = max = Arrays.copyOf(m, len);
        }
        if (chars <= max.length) {
            return max[chars - 1];
        }
        return st.chainLoops ? max[max.length - 1] : -1;
    }

    /**
     * The state that every character a JSON string holds unescaped (ASCII from space on but the
     * quote, the backslash and DEL; every non-ASCII character) leads to from {@code st}, or
     * {@link #NO_SUCCESSOR}. Checked over UTF-8 byte paths once per state; most states fail at the
     * first bytes.
     */
    private State successor(State st) {
        if (st.successor != null) {
            return st.successor;
        }
        State target = st == DEAD || st.stacks.length == 0 ? DEAD : step(st, 'a');
        boolean ok = target != DEAD;
        for (int b = 0x20; ok && b < 0x7F; b++) {
            if (b != '"' && b != '\\') {
                ok = step(st, b) == target;
            }
        }
        for (int s = 0; ok && s < UTF8_SHAPES.length; s++) {
            java.util.Set<State> cur = java.util.Set.of(st);
            int[][] shape = UTF8_SHAPES[s];
            for (int level = 0; ok && level < shape.length; level++) {
                boolean last = level == shape.length - 1;
                java.util.Set<State> next = new java.util.HashSet<>();
                for (State x : cur) {
                    for (int b = shape[level][0]; ok && b <= shape[level][1]; b++) {
                        State y = step(x, b);
                        ok = y != DEAD && (!last || y == target);
                        next.add(y);
                    }
                }
                cur = next;
            }
        }
        st.successor = ok ? target : NO_SUCCESSOR;
        return st.successor;
    }

    /** Counters for diagnostics: states, automaton size, trie walks, masks served from the cache. */
    public String stats() {
        lock.lock();
        try {
            return "rules " + automaton.ruleCount() + ", automaton states " + automaton.stateCount() + ", matcher states " + states.size()
                    + ", walks " + walks + " (under a budget " + budgetWalks + "), cached masks served " + cacheHits;
        } finally {
            lock.unlock();
        }
    }

    /** Interned states now (tests, benchmarks). */
    int stateCount() {
        return states.size();
    }
}
