package io.infernet.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A grammar compiled to bytes: one deterministic automaton per rule over UTF-8 bytes whose states
 * may also call other rules (a pushdown automaton once a stack of return states is added). Small
 * rules that do not recurse are inlined into their callers, so most of a JSON grammar is plain
 * byte transitions. Independent of any vocabulary; immutable and thread-safe.
 *
 * <p>Every state left can still reach its rule's end (dead states are pruned), so a matcher that
 * follows the transitions never gets stuck. Left recursion is refused.
 */
final class Automaton {
    static final int INF = Integer.MAX_VALUE / 4;
    /** Inlined rule bodies above this many NFA nodes stay calls. */
    private static final int INLINE_LIMIT = 400;
    private static final int MAX_NFA_NODES = 400_000;
    private static final int MAX_DFA_STATES = 60_000;

    final String[] ruleNames;
    /** Per rule: {@code trans[r][s * 256 + b]} is the next state or -1. */
    final int[][] trans;
    /** Per rule and state: pairs (callee rule, return state). */
    final int[][][] calls;
    final boolean[][] accepting;
    /** Per rule and state: whether any byte leads on. */
    final boolean[][] consumes;
    /** Per rule and state: the fewest bytes that reach the rule's end (callees' bytes included). */
    final int[][] minRemaining;
    final int root;

    private Automaton(String[] ruleNames, int[][] trans, int[][][] calls, boolean[][] accepting, int root) {
        this.ruleNames = ruleNames;
        this.trans = trans;
        this.calls = calls;
        this.accepting = accepting;
        this.root = root;
        int n = ruleNames.length;
        this.consumes = new boolean[n][];
        for (int r = 0; r < n; r++) {
            int states = accepting[r].length;
            consumes[r] = new boolean[states];
            for (int s = 0; s < states; s++) {
                for (int b = 0; b < 256; b++) {
                    if (trans[r][s * 256 + b] >= 0) {
                        consumes[r][s] = true;
                        break;
                    }
                }
            }
        }
        this.minRemaining = computeMinRemaining();
    }

    /** A state with nothing left to do but end its rule (a call returning there is a tail call). */
    boolean finalOnly(int rule, int state) {
        return accepting[rule][state] && !consumes[rule][state] && calls[rule][state].length == 0;
    }

    int ruleCount() {
        return ruleNames.length;
    }

    int stateCount() {
        int n = 0;
        for (boolean[] a : accepting) {
            n += a.length;
        }
        return n;
    }

    static Automaton compile(Grammar grammar) {
        return new Builder(grammar).build();
    }

    // ---- analysis ----

    private int[][] computeMinRemaining() {
        int n = ruleNames.length;
        int[][] min = new int[n][];
        for (int r = 0; r < n; r++) {
            min[r] = new int[accepting[r].length];
            Arrays.fill(min[r], INF);
        }
        // Distinct byte targets per state, to relax without scanning 256 entries each pass.
        int[][][] targets = new int[n][][];
        for (int r = 0; r < n; r++) {
            int states = accepting[r].length;
            targets[r] = new int[states][];
            int[] seen = new int[states];
            int[] buf = new int[256];
            for (int s = 0; s < states; s++) {
                int k = 0;
                for (int b = 0; b < 256; b++) {
                    int t = trans[r][s * 256 + b];
                    if (t >= 0 && seen[t] != s + 1) {
                        seen[t] = s + 1;
                        buf[k++] = t;
                    }
                }
                targets[r][s] = Arrays.copyOf(buf, k);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int r = 0; r < n; r++) {
                for (int s = accepting[r].length - 1; s >= 0; s--) {
                    int best = accepting[r][s] ? 0 : INF;
                    for (int t : targets[r][s]) {
                        best = Math.min(best, 1 + min[r][t]);
                    }
                    int[] c = calls[r][s];
                    for (int i = 0; i < c.length; i += 2) {
                        best = Math.min(best, min[c[i]][0] + min[r][c[i + 1]]);
                    }
                    best = Math.min(best, INF);
                    if (best < min[r][s]) {
                        min[r][s] = best;
                        changed = true;
                    }
                }
            }
        }
        return min;
    }

    // ---- construction ----

    /** Grammar to per-rule NFAs (with inlining) to per-rule DFAs. */
    private static final class Builder {
        private final Grammar grammar;
        private final Map<String, Integer> ruleIds = new LinkedHashMap<>();
        private final Set<String> recursive = new HashSet<>();
        private final Map<String, Integer> inlineSize = new HashMap<>();
        private final ArrayDeque<String> pending = new ArrayDeque<>();

        Builder(Grammar grammar) {
            this.grammar = grammar;
            findRecursive();
        }

        Automaton build() {
            id(grammar.root());
            List<int[]> transList = new ArrayList<>();
            List<int[][]> callsList = new ArrayList<>();
            List<boolean[]> acceptList = new ArrayList<>();
            while (!pending.isEmpty()) {
                String name = pending.poll();
                Nfa nfa = new Nfa(name);
                int start = nfa.node();
                int end = nfa.build(grammar.rule(name), start, new HashSet<>());
                Dfa dfa = minimize(nfa.determinize(start, end));
                int r = ruleIds.get(name);
                while (transList.size() <= r) {
                    transList.add(null);
                    callsList.add(null);
                    acceptList.add(null);
                }
                transList.set(r, dfa.trans);
                callsList.set(r, dfa.calls);
                acceptList.set(r, dfa.accepting);
            }
            String[] names = ruleIds.keySet().toArray(String[]::new);
            Automaton a = new Automaton(names, transList.toArray(int[][]::new), callsList.toArray(int[][][]::new),
                    acceptList.toArray(boolean[][]::new), 0);
            checkLeftRecursion(a);
            return a.pruned();
        }

        private int id(String rule) {
            Integer id = ruleIds.get(rule);
            if (id == null) {
                id = ruleIds.size();
                ruleIds.put(rule, id);
                pending.add(rule);
            }
            return id;
        }

        private void findRecursive() {
            Map<String, Set<String>> refs = new HashMap<>();
            for (var e : grammar.rules().entrySet()) {
                Set<String> s = new HashSet<>();
                Grammar.forEachRef(e.getValue(), s::add);
                refs.put(e.getKey(), s);
            }
            for (String r : grammar.rules().keySet()) {
                var todo = new ArrayDeque<>(refs.get(r));
                Set<String> seen = new HashSet<>();
                while (!todo.isEmpty()) {
                    String x = todo.poll();
                    if (x.equals(r)) {
                        recursive.add(r);
                        break;
                    }
                    if (seen.add(x)) {
                        todo.addAll(refs.get(x));
                    }
                }
            }
        }

        private boolean inline(String rule) {
            return !recursive.contains(rule) && size(rule) <= INLINE_LIMIT;
        }

        /** Estimated NFA nodes of a non-recursive rule with its inlinable references inlined. */
        private int size(String rule) {
            Integer s = inlineSize.get(rule);
            if (s == null) {
                s = recursive.contains(rule) ? INF : size(grammar.rule(rule));
                inlineSize.put(rule, s);
            }
            return s;
        }

        private int size(Expr e) {
            return switch (e) {
                case Expr.Literal l -> l.text().length() * 2 + 1;
                case Expr.CharClass c -> 4 * CodePointSet.utf8Sequences(c.matched()).size() + 1;
                case Expr.Seq s -> s.items().stream().mapToInt(this::size).sum() + 1;
                case Expr.Alt a -> a.options().stream().mapToInt(this::size).sum() + 2;
                case Expr.Repeat r -> (int) Math.min(INF, (long) size(r.item()) * Math.max(1, r.max() == Expr.Repeat.UNBOUNDED
                        ? r.min() + 1 : r.max()) + 2);
                case Expr.Ref r -> inline(r.name()) ? size(r.name()) : 2;
                case Expr.Token t -> 2;
            };
        }

        /** Thompson NFA of one rule: byte-range edges, epsilon edges, call edges. */
        private final class Nfa {
            private final String rule;
            private final List<int[]> ranges = new ArrayList<>(); // (from, lo, hi, to)
            private final List<int[]> eps = new ArrayList<>();    // (from, to)
            private final List<int[]> callEdges = new ArrayList<>(); // (from, rule, to)
            private int nodes;

            Nfa(String rule) {
                this.rule = rule;
            }

            int node() {
                if (++nodes > MAX_NFA_NODES) {
                    throw new GrammarException("rule '" + rule + "' is too large to compile (over " + MAX_NFA_NODES
                            + " automaton nodes); reduce its repetition counts or split it into rules");
                }
                return nodes - 1;
            }

            int build(Expr e, int s, Set<String> inlining) {
                switch (e) {
                    case Expr.Literal l -> {
                        int cur = s;
                        for (byte b : l.text().getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                            int next = node();
                            ranges.add(new int[] {cur, b & 0xFF, b & 0xFF, next});
                            cur = next;
                        }
                        return cur;
                    }
                    case Expr.CharClass c -> {
                        int end = node();
                        for (int[] seq : CodePointSet.utf8Sequences(c.matched())) {
                            int cur = s;
                            for (int i = 0; i < seq.length; i += 2) {
                                int next = i + 2 == seq.length ? end : node();
                                ranges.add(new int[] {cur, seq[i], seq[i + 1], next});
                                cur = next;
                            }
                        }
                        return end;
                    }
                    case Expr.Seq q -> {
                        int cur = s;
                        for (Expr x : q.items()) {
                            cur = build(x, cur, inlining);
                        }
                        return cur;
                    }
                    case Expr.Alt a -> {
                        int end = node();
                        for (Expr o : a.options()) {
                            int os = node();
                            eps.add(new int[] {s, os});
                            eps.add(new int[] {build(o, os, inlining), end});
                        }
                        return end;
                    }
                    case Expr.Repeat r -> {
                        int cur = s;
                        for (int i = 0; i < r.min(); i++) {
                            cur = build(r.item(), cur, inlining);
                        }
                        if (r.max() == Expr.Repeat.UNBOUNDED) {
                            int loop = node();
                            eps.add(new int[] {cur, loop});
                            int body = node();
                            eps.add(new int[] {loop, body});
                            eps.add(new int[] {build(r.item(), body, inlining), loop});
                            return loop;
                        }
                        int end = node();
                        eps.add(new int[] {cur, end});
                        for (int i = r.min(); i < r.max(); i++) {
                            cur = build(r.item(), cur, inlining);
                            eps.add(new int[] {cur, end});
                        }
                        return end;
                    }
                    case Expr.Ref ref -> {
                        String name = ref.name();
                        if (inline(name) && !inlining.contains(name)) {
                            inlining.add(name);
                            int end = build(grammar.rule(name), s, inlining);
                            inlining.remove(name);
                            return end;
                        }
                        int end = node();
                        callEdges.add(new int[] {s, id(name), end});
                        return end;
                    }
                    case Expr.Token t -> throw new GrammarException("rule '" + rule + "' uses a token reference ("
                            + Gbnf.print(t) + "), which this matcher does not support; write the token's text as a literal");
                }
            }

            Dfa determinize(int start, int end) {
                int n = nodes;
                int[][] epsOut = adjacency(eps, n, 0, 1);
                List<List<int[]>> rangeOut = new ArrayList<>(n);
                List<List<int[]>> callOut = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    rangeOut.add(new ArrayList<>(0));
                    callOut.add(new ArrayList<>(0));
                }
                for (int[] r : ranges) {
                    rangeOut.get(r[0]).add(r);
                }
                for (int[] c : callEdges) {
                    callOut.get(c[0]).add(c);
                }
                Map<IntKey, Integer> index = new HashMap<>();
                List<int[]> sets = new ArrayList<>();
                int[] mark = new int[n];
                int[] epoch = {0};
                int first = intern(closure(new int[] {start}, epsOut, mark, epoch), index, sets);
                List<int[]> trans = new ArrayList<>();
                List<int[]> calls = new ArrayList<>();
                List<Boolean> acc = new ArrayList<>();
                for (int d = first; d < sets.size(); d++) {
                    if (sets.size() > MAX_DFA_STATES) {
                        throw new GrammarException("rule '" + rule + "' needs over " + MAX_DFA_STATES
                                + " automaton states; simplify it (fewer overlapping alternatives or smaller repetition counts)");
                    }
                    int[] set = sets.get(d);
                    int[] row = new int[256];
                    Arrays.fill(row, -1);
                    // Byte classes: boundaries of every range leaving the set.
                    boolean[] cut = new boolean[257];
                    boolean any = false;
                    for (int v : set) {
                        for (int[] r : rangeOut.get(v)) {
                            cut[r[1]] = true;
                            cut[r[2] + 1] = true;
                            any = true;
                        }
                    }
                    if (any) {
                        int lo = 0;
                        for (int b = 1; b <= 256; b++) {
                            if (cut[b] || b == 256) {
                                List<Integer> targets = new ArrayList<>();
                                for (int v : set) {
                                    for (int[] r : rangeOut.get(v)) {
                                        if (r[1] <= lo && lo <= r[2]) {
                                            targets.add(r[3]);
                                        }
                                    }
                                }
                                if (!targets.isEmpty()) {
                                    int t = intern(closure(targets.stream().mapToInt(Integer::intValue).toArray(), epsOut, mark, epoch), index, sets);
                                    Arrays.fill(row, lo, b, t);
                                }
                                lo = b;
                            }
                        }
                    }
                    Map<Integer, List<Integer>> byCallee = new LinkedHashMap<>();
                    for (int v : set) {
                        for (int[] c : callOut.get(v)) {
                            byCallee.computeIfAbsent(c[1], k -> new ArrayList<>()).add(c[2]);
                        }
                    }
                    int[] callPairs = new int[byCallee.size() * 2];
                    int k = 0;
                    for (var e : byCallee.entrySet()) {
                        callPairs[k++] = e.getKey();
                        callPairs[k++] = intern(closure(e.getValue().stream().mapToInt(Integer::intValue).toArray(), epsOut, mark, epoch), index, sets);
                    }
                    trans.add(row);
                    calls.add(callPairs);
                    acc.add(Arrays.binarySearch(set, end) >= 0);
                }
                int states = trans.size();
                int[] flat = new int[states * 256];
                for (int s = 0; s < states; s++) {
                    System.arraycopy(trans.get(s), 0, flat, s * 256, 256);
                }
                boolean[] accepting = new boolean[states];
                for (int s = 0; s < states; s++) {
                    accepting[s] = acc.get(s);
                }
                return new Dfa(flat, calls.toArray(int[][]::new), accepting);
            }
        }

        private static int[][] adjacency(List<int[]> edges, int n, int from, int to) {
            int[] count = new int[n];
            for (int[] e : edges) {
                count[e[from]]++;
            }
            int[][] out = new int[n][];
            for (int i = 0; i < n; i++) {
                out[i] = new int[count[i]];
            }
            Arrays.fill(count, 0);
            for (int[] e : edges) {
                out[e[from]][count[e[from]]++] = e[to];
            }
            return out;
        }

        private static int[] closure(int[] seeds, int[][] epsOut, int[] mark, int[] epoch) {
            int e = ++epoch[0];
            var stack = new ArrayDeque<Integer>();
            List<Integer> out = new ArrayList<>();
            for (int s : seeds) {
                if (mark[s] != e) {
                    mark[s] = e;
                    stack.push(s);
                }
            }
            while (!stack.isEmpty()) {
                int v = stack.pop();
                out.add(v);
                for (int w : epsOut[v]) {
                    if (mark[w] != e) {
                        mark[w] = e;
                        stack.push(w);
                    }
                }
            }
            int[] a = out.stream().mapToInt(Integer::intValue).toArray();
            Arrays.sort(a);
            return a;
        }

        private static int intern(int[] set, Map<IntKey, Integer> index, List<int[]> sets) {
            return index.computeIfAbsent(new IntKey(set), k -> {
                sets.add(set);
                return sets.size() - 1;
            });
        }

        private void checkLeftRecursion(Automaton a) {
            int n = a.ruleCount();
            // Rules that can end without consuming a byte.
            boolean[] nullable = new boolean[n];
            for (boolean changed = true; changed; ) {
                changed = false;
                for (int r = 0; r < n; r++) {
                    if (!nullable[r] && reachesEndEmpty(a, r, nullable, null)) {
                        nullable[r] = true;
                        changed = true;
                    }
                }
            }
            // Rules each rule can call before consuming a byte.
            List<Set<Integer>> leftCalls = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                Set<Integer> s = new HashSet<>();
                reachesEndEmpty(a, r, nullable, s);
                leftCalls.add(s);
            }
            for (int r = 0; r < n; r++) {
                var todo = new ArrayDeque<>(leftCalls.get(r));
                Set<Integer> seen = new HashSet<>();
                while (!todo.isEmpty()) {
                    int x = todo.poll();
                    if (x == r) {
                        throw new GrammarException("rule '" + a.ruleNames[r] + "' is left-recursive (it can reach itself before matching any "
                                + "character), which a left-to-right matcher cannot follow; rewrite it with a repetition, e.g. x ::= y (\"+\" y)*");
                    }
                    if (seen.add(x)) {
                        todo.addAll(leftCalls.get(x));
                    }
                }
            }
        }

        /** Whether rule r can end with no byte; collects the rules it calls on the way if {@code called != null}. */
        private static boolean reachesEndEmpty(Automaton a, int r, boolean[] nullable, Set<Integer> called) {
            var todo = new ArrayDeque<Integer>();
            Set<Integer> seen = new HashSet<>();
            todo.add(0);
            seen.add(0);
            boolean ends = false;
            while (!todo.isEmpty()) {
                int s = todo.poll();
                ends |= a.accepting[r][s];
                int[] c = a.calls[r][s];
                for (int i = 0; i < c.length; i += 2) {
                    if (called != null) {
                        called.add(c[i]);
                    }
                    if (nullable[c[i]] && seen.add(c[i + 1])) {
                        todo.add(c[i + 1]);
                    }
                }
            }
            return ends;
        }
    }

    /** A copy without transitions or calls into states that cannot reach their rule's end. */
    private Automaton pruned() {
        if (minRemaining[root][0] >= INF) {
            throw new GrammarException("the grammar matches no finite text: rule '" + ruleNames[root]
                    + "' can never end (every path loops or goes through a rule that never ends)");
        }
        int n = ruleNames.length;
        int[][] t = new int[n][];
        int[][][] c = new int[n][][];
        for (int r = 0; r < n; r++) {
            t[r] = trans[r].clone();
            for (int i = 0; i < t[r].length; i++) {
                if (t[r][i] >= 0 && minRemaining[r][t[r][i]] >= INF) {
                    t[r][i] = -1;
                }
            }
            c[r] = new int[calls[r].length][];
            for (int s = 0; s < calls[r].length; s++) {
                int[] pairs = calls[r][s];
                int[] kept = new int[pairs.length];
                int k = 0;
                for (int i = 0; i < pairs.length; i += 2) {
                    if (minRemaining[pairs[i]][0] < INF && minRemaining[r][pairs[i + 1]] < INF) {
                        kept[k++] = pairs[i];
                        kept[k++] = pairs[i + 1];
                    }
                }
                c[r][s] = Arrays.copyOf(kept, k);
            }
        }
        Automaton a = new Automaton(ruleNames, t, c, accepting, root);
        return a;
    }

    private record Dfa(int[] trans, int[][] calls, boolean[] accepting) {}

    /** One byte of each class of bytes whose column of transitions is the same in every state. */
    private static int[] byteClassRepresentatives(int[] trans, int states) {
        Map<IntKey, Integer> columns = new HashMap<>();
        int[] reps = new int[256];
        int k = 0;
        for (int b = 0; b < 256; b++) {
            int[] col = new int[states];
            for (int s = 0; s < states; s++) {
                col[s] = trans[s * 256 + b];
            }
            if (columns.putIfAbsent(new IntKey(col), b) == null) {
                reps[k++] = b;
            }
        }
        return Arrays.copyOf(reps, k);
    }

    /**
     * Moore's partition refinement: states that accept alike, go to equivalent states on every byte
     * and make the same calls to equivalent return states become one (state 0 stays the start).
     */
    static Dfa minimize(Dfa dfa) {
        int n = dfa.accepting.length;
        // Bytes that every state treats alike form one class: compare one byte of each class only.
        int[] reps = byteClassRepresentatives(dfa.trans, n);
        int[] cls = new int[n];
        for (int s = 0; s < n; s++) {
            cls[s] = dfa.accepting[s] ? 1 : 0;
        }
        int classes = -1;
        while (true) {
            Map<IntKey, Integer> sig = new HashMap<>();
            int[] next = new int[n];
            for (int s = 0; s < n; s++) {
                int[] c = dfa.calls[s];
                int[] key = new int[1 + reps.length + c.length];
                key[0] = cls[s];
                for (int k = 0; k < reps.length; k++) {
                    int t = dfa.trans[s * 256 + reps[k]];
                    key[1 + k] = t < 0 ? -1 : cls[t];
                }
                for (int i = 0; i < c.length; i += 2) {
                    key[1 + reps.length + i] = c[i];
                    key[2 + reps.length + i] = cls[c[i + 1]];
                }
                next[s] = sig.computeIfAbsent(new IntKey(key), k -> sig.size());
            }
            cls = next;
            if (sig.size() == classes) {
                break;
            }
            classes = sig.size();
        }
        // Renumber so that the start's class is 0, in first-seen order.
        int[] renum = new int[classes];
        Arrays.fill(renum, -1);
        int k = 0;
        int[] rep = new int[classes];
        for (int s = 0; s < n; s++) {
            if (renum[cls[s]] < 0) {
                renum[cls[s]] = k;
                rep[k] = s;
                k++;
            }
        }
        int[] trans = new int[classes * 256];
        int[][] calls = new int[classes][];
        boolean[] accepting = new boolean[classes];
        for (int c = 0; c < classes; c++) {
            int s = rep[c];
            for (int b = 0; b < 256; b++) {
                int t = dfa.trans[s * 256 + b];
                trans[c * 256 + b] = t < 0 ? -1 : renum[cls[t]];
            }
            int[] pairs = dfa.calls[s].clone();
            for (int i = 1; i < pairs.length; i += 2) {
                pairs[i] = renum[cls[pairs[i]]];
            }
            calls[c] = pairs;
            accepting[c] = dfa.accepting[s];
        }
        return new Dfa(trans, calls, accepting);
    }

    /** An int array as a hash key. */
    record IntKey(int[] a) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IntKey k && Arrays.equals(k.a, a);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(a);
        }
    }
}
