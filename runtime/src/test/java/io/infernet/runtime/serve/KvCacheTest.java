package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The KV cache's placement, host copies, moves, swapping and reclaiming, carried out on a fake
 * memory that holds, per sequence, the tokens whose KV its positions would hold.
 */
class KvCacheTest {

    /** Memory whose cells hold tokens; a state is the tokens as ints. Refuses restores beyond {@code cells}. */
    static final class FakeMemory implements KvMemory {
        final Map<Integer, int[]> seqs = new HashMap<>();
        final int cells;
        int restoresRefused;
        int saves;

        FakeMemory(int cells) {
            this.cells = cells;
        }

        int[] held(int seq) {
            return seqs.getOrDefault(seq, new int[0]);
        }

        /** What a decode of these tokens at positions 0.. would leave in the cells. */
        void decode(int seq, int[] tokens) {
            seqs.put(seq, tokens.clone());
        }

        private int used() {
            return seqs.values().stream().mapToInt(a -> a.length).sum();
        }

        @Override
        public void removeTokens(int seq, int from, int to) {
            int[] t = held(seq);
            int a = from < 0 ? 0 : Math.min(from, t.length);
            int b = to < 0 ? t.length : Math.min(to, t.length);
            if (b < t.length && a > 0) {
                throw new AssertionError("the cache only ever trims a tail or clears a sequence");
            }
            seqs.put(seq, a == 0 && b == t.length ? new int[0] : Arrays.copyOf(t, a));
        }

        @Override
        public void copySequence(int src, int dst, int from, int to) {
            int[] t = held(src);
            seqs.put(dst, Arrays.copyOfRange(t, Math.max(0, from), to < 0 ? t.length : to));
        }

        @Override
        public int maxPosition(int seq) {
            return held(seq).length - 1;
        }

        @Override
        public long stateSize(int seq) {
            return 4L * (held(seq).length + 1);
        }

        @Override
        public long saveState(int seq, MemorySegment dst) {
            saves++;
            int[] t = held(seq);
            dst.set(ValueLayout.JAVA_INT, 0, t.length);
            MemorySegment.copy(t, 0, dst, ValueLayout.JAVA_INT, 4, t.length);
            return 4L * (t.length + 1);
        }

        @Override
        public long restoreState(MemorySegment src, int seq) {
            int n = src.get(ValueLayout.JAVA_INT, 0);
            if (used() - held(seq).length + n > cells) {
                restoresRefused++;
                return 0;
            }
            int[] t = new int[n];
            MemorySegment.copy(src, ValueLayout.JAVA_INT, 4, t, 0, n);
            seqs.put(seq, t);
            return 4L * (n + 1);
        }
    }

    /** A sequence as the cache sees it: its tokens, of which {@code cached} are in the cells. */
    static final class Seq implements SlotTable.Content {
        final IntList tokens;
        int cached;

        Seq(int[] tokens) {
            this.tokens = new IntList(tokens);
        }

        @Override
        public IntList tokens() {
            return tokens;
        }

        @Override
        public int cachedTokens() {
            return cached;
        }
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static int[] concat(int[] a, int... b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    /** Binds, then "decodes" the rest of the tokens as the engine would; returns the binding. */
    private static KvCache.Binding run(KvCache kv, FakeMemory mem, Seq s) {
        KvCache.Binding b = kv.bind(s, null);
        assertArrayEquals(Arrays.copyOf(s.tokens.array(), b.reusedTokens()), mem.held(b.slot()),
                "the slot holds exactly the reused prefix");
        mem.decode(b.slot(), Arrays.copyOf(s.tokens.array(), s.tokens.size()));
        s.cached = s.tokens.size();
        return b;
    }

    @Test
    void aPromptOverwrittenInTheOnlySlotComesBackFromHostMemory() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 1, true, 1 << 20)) {
            int[] p = range(1, 101);
            Seq a = new Seq(p);
            KvCache.Binding first = run(kv, mem, a);
            assertEquals(new KvCache.Binding(0, 0), first);
            kv.release(0, a.tokens, a.cached);

            Seq other = new Seq(range(5000, 5080));
            assertEquals(new KvCache.Binding(0, 0), run(kv, mem, other));
            assertEquals(1, kv.hostStats().entries(), "the first prompt was saved before its slot was overwritten");
            kv.release(0, other.tokens, other.cached);

            Seq again = new Seq(concat(p, 7, 8));
            KvCache.Binding b = run(kv, mem, again);
            assertEquals(new KvCache.Binding(0, 100), b);
            assertEquals(1, kv.hostStats().restores());
        }
    }

    @Test
    void idleSlotsAreSavedAheadOneAtATimeSoThatANewPromptTakesASlotWithoutCopyingFirst() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 2, false, 1 << 20)) {
            Seq a = new Seq(range(1, 101));
            Seq b = new Seq(range(1000, 1100));
            run(kv, mem, a);
            run(kv, mem, b);
            kv.release(0, a.tokens, a.cached);
            kv.release(1, b.tokens, b.cached);

            assertEquals(true, kv.saveAhead());
            assertEquals(1, mem.saves, "one slot per call");
            assertEquals(true, kv.saveAhead());
            assertEquals(2, mem.saves);
            assertEquals(false, kv.saveAhead(), "nothing is left to save");
            assertEquals(2, mem.saves, "a content is saved once");
            assertEquals(2, kv.hostStats().entries());

            // New prompts take both slots: nothing more is copied before their prefill.
            Seq c = new Seq(range(5000, 5080));
            Seq d = new Seq(range(6000, 6080));
            KvCache.Binding bc = run(kv, mem, c);
            KvCache.Binding bd = run(kv, mem, d);
            assertEquals(2, mem.saves, "binding found the old contents already in host memory");
            kv.release(bc.slot(), c.tokens, c.cached);
            kv.release(bd.slot(), d.tokens, d.cached);

            // And the first prompt comes back from the copy made ahead.
            Seq again = new Seq(concat(range(1, 101), 7));
            KvCache.Binding back = kv.bind(again, null);
            assertEquals(100, back.reusedTokens());
            assertEquals(1, kv.hostStats().restores());
        }
    }

    @Test
    void aStateTooLargeToCopyWithinAStepIsLeftForItsBinding() {
        FakeMemory mem = new FakeMemory(4 << 20);
        try (KvCache kv = new KvCache(mem, 4 << 20, 1, true, 1L << 30)) {
            Seq big = new Seq(range(1, (int) (KvCache.AHEAD_MAX_BYTES / 4) + 1)); // the fake's state is 4 bytes a token, plus 4
            run(kv, mem, big);
            kv.release(0, big.tokens, big.cached);
            assertEquals(false, kv.saveAhead());
            assertEquals(0, mem.saves);

            run(kv, mem, new Seq(range(-100, -20)));
            assertEquals(1, mem.saves, "it is still saved when a new prompt overwrites it");
        }
    }

    @Test
    void withoutHostMemoryNothingIsSavedAhead() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 1, true, 0)) {
            Seq a = new Seq(range(1, 101));
            run(kv, mem, a);
            kv.release(0, a.tokens, a.cached);
            assertEquals(false, kv.saveAhead());
            assertEquals(0, mem.saves);
        }
    }

    @Test
    void aBusySlotsPrefixIsSharedWithANewSequence() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 2, true, 0)) {
            int[] p = range(1, 61);
            Seq a = new Seq(p);
            run(kv, mem, a);
            KvCache.Binding b = run(kv, mem, new Seq(concat(p, 9)));
            assertEquals(new KvCache.Binding(1, 60), b);
        }
    }

    @Test
    void withAStreamPerSlotPromptsCopyARunningPrefixSavedOncePerStep() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 4, false, 0)) { // no host memory: the copy needs none
            int[] p = range(1, 21);
            Seq a = new Seq(p);
            run(kv, mem, a); // slot 0, computed: busy
            assertEquals(new KvCache.Binding(1, 20), run(kv, mem, new Seq(concat(p, 9))));
            assertEquals(new KvCache.Binding(2, 20), run(kv, mem, new Seq(concat(p, 8))));
            assertEquals(1, mem.saves, "one state saved for both copies");
            assertEquals(2, kv.sharedFromBusy());
            kv.placed();
            // The source decodes on: the next copy saves its state again, and keeps only the shared part.
            a.tokens.add(55);
            a.cached++;
            mem.decode(0, Arrays.copyOf(a.tokens.array(), a.tokens.size()));
            assertEquals(new KvCache.Binding(3, 20), run(kv, mem, new Seq(concat(p, 7))));
            assertEquals(2, mem.saves);
            assertArrayEquals(concat(p, 55), mem.held(0), "the source keeps its cells");
        }
    }

    @Test
    void withAStreamPerSlotAFailedCopyComputesThePrompt() {
        FakeMemory mem = new FakeMemory(30); // refuses a restore past 30 cells in all
        try (KvCache kv = new KvCache(mem, 60, 2, false, 0)) {
            int[] p = range(1, 21);
            run(kv, mem, new Seq(p)); // 20 held: a copy of 20 more does not fit
            KvCache.Binding b = kv.bind(new Seq(concat(p, 9)), null);
            assertEquals(new KvCache.Binding(1, 0), b);
            assertEquals(1, mem.restoresRefused);
            assertArrayEquals(new int[0], mem.held(1));
        }
    }

    @Test
    void withAStreamPerSlotAnIdlePrefixMovesToTheLowestFreeSlot() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 2, false, 1 << 20)) {
            Seq a = new Seq(range(2000, 2010));
            Seq b = new Seq(range(1, 101));
            run(kv, mem, a); // slot 0
            run(kv, mem, b); // slot 1
            kv.release(0, a.tokens, a.cached);
            kv.release(1, b.tokens, b.cached);
            // The best prefix is idle in slot 1, but slot 0 is the lowest free one: the prefix moves
            // there through a host copy instead of breaking the packing or being recomputed.
            KvCache.Binding moved = run(kv, mem, new Seq(concat(b.tokens.array(), 3, 4)));
            assertEquals(new KvCache.Binding(0, 100), moved);
        }
    }

    @Test
    void aSwappedOutSequenceComesBackWithItsCells() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 1, true, 1 << 20)) {
            Seq a = new Seq(range(1, 91));
            run(kv, mem, a);
            HostPromptCache.Entry saved = kv.swapOut(0, a.tokens, a.cached);
            assertNotNull(saved);
            assertEquals(0, mem.held(0).length, "its cells are freed");
            a.cached = 0;
            Seq b = new Seq(range(3000, 3020));
            run(kv, mem, b);
            kv.release(0, b.tokens, b.cached);

            KvCache.Binding back = kv.bind(a, saved);
            assertEquals(new KvCache.Binding(0, 89), back);
            assertArrayEquals(range(1, 90), mem.held(0));
        }
    }

    @Test
    void withoutHostMemoryASwappedOutSequenceIsComputedAgain() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 1, true, 0)) {
            Seq a = new Seq(range(1, 91));
            run(kv, mem, a);
            assertNull(kv.swapOut(0, a.tokens, a.cached));
            a.cached = 0;
            assertEquals(new KvCache.Binding(0, 0), run(kv, mem, a));
        }
    }

    @Test
    void reclaimingFreesTheLeastRecentlyUsedIdleSlotFirstAndKeepsItInHostMemory() {
        FakeMemory mem = new FakeMemory(200);
        try (KvCache kv = new KvCache(mem, 200, 3, true, 1 << 20)) {
            Seq old = new Seq(range(1, 81));
            Seq recent = new Seq(range(1000, 1081));
            run(kv, mem, old);
            run(kv, mem, recent);
            kv.release(0, old.tokens, old.cached);
            kv.release(1, recent.tokens, recent.cached);
            assertEquals(200 - 0, kv.freeCells(), "idle cells count as free for running sequences");
            kv.reclaim(100); // 40 free now: one idle slot must go
            assertEquals(0, mem.held(0).length, "the older idle slot was cleared");
            assertEquals(81, mem.held(1).length, "the recent one kept");
            assertEquals(1, kv.hostStats().entries(), "what was cleared is kept in host memory");
        }
    }

    @Test
    void aStateThatNoLongerFitsIsComputedAgain() {
        FakeMemory mem = new FakeMemory(120);
        try (KvCache kv = new KvCache(mem, 120, 2, true, 1 << 20)) {
            Seq a = new Seq(range(1, 101));
            run(kv, mem, a);
            HostPromptCache.Entry saved = kv.swapOut(0, a.tokens, a.cached);
            a.cached = 0;
            run(kv, mem, new Seq(range(4000, 4100))); // 100 of 120 cells busy, nothing idle to reclaim
            KvCache.Binding b = kv.bind(a, saved);
            assertEquals(0, b.reusedTokens(), "no room to restore: computed from scratch");
            assertEquals(1, mem.restoresRefused);
            assertEquals(0, mem.held(b.slot()).length, "nothing half-restored is left behind");
            assertEquals(0, kv.hostStats().entries(), "the swapped state is released once its sequence is back");
        }
    }

    @Test
    void aForkCopiesTheSourcesCellsIntoAFreeSlotWithEitherLayout() {
        for (boolean unified : new boolean[] {true, false}) {
            FakeMemory mem = new FakeMemory(1024);
            try (KvCache kv = new KvCache(mem, 1024, 3, unified, 0)) {
                int[] p = range(1, 41);
                Seq leader = new Seq(p);
                run(kv, mem, leader);
                Seq a = new Seq(p);
                Seq b = new Seq(p);
                assertEquals(1, kv.fork(0, a, 40));
                assertEquals(2, kv.fork(0, b, 40));
                assertArrayEquals(p, mem.held(1));
                assertArrayEquals(p, mem.held(2));
                assertEquals(-1, kv.fork(0, new Seq(p), 40), "no slot left");
            }
        }
    }

    @Test
    void withAStreamPerSlotAForkNeedsTheSourceToHoldExactlyThePrompt() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 2, false, 0)) {
            Seq leader = new Seq(range(1, 41));
            run(kv, mem, leader);
            assertThrows(IllegalStateException.class, () -> kv.fork(0, new Seq(range(1, 31)), 30));
        }
    }

    @Test
    void keepInHostSavesAPrefixOnceForLaterSequences() {
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 1, false, 1 << 20)) {
            int[] p = range(1, 101);
            Seq leader = new Seq(p);
            run(kv, mem, leader);
            kv.keepInHost(0, leader.tokens, 100);
            kv.keepInHost(0, leader.tokens, 100);
            assertEquals(1, kv.hostStats().entries());
            kv.release(0, leader.tokens, 100);
            mem.removeTokens(0, -1, -1); // as if overwritten
            KvCache.Binding later = kv.bind(new Seq(p), null);
            assertEquals(99, later.reusedTokens(), "all but the last prompt token (decoded again for its logits) came from host memory");
        }
    }

    @Test
    void aHostMatchReplacedWhileSavingTheTargetFirstIsStillRestored() {
        // Two streams, both idle and holding extensions of p; the host holds p alone. The newer idle
        // slot is not the lowest free one, so p goes to slot 0 from host memory, whose own cells are
        // saved first: that store replaces the entry of p by one covering it.
        FakeMemory mem = new FakeMemory(1024);
        try (KvCache kv = new KvCache(mem, 1024, 2, false, 1 << 20)) {
            int[] p = range(1, 91);
            Seq a = new Seq(concat(p, 500, 501));
            run(kv, mem, a);
            Seq b = new Seq(concat(p, 600, 601));
            assertEquals(1, run(kv, mem, b).slot(), "a busy stream is not shared: b gets the other slot");
            mem.decode(9, p);
            kv.keepInHost(9, new IntList(p), 90);
            kv.release(0, a.tokens, a.cached);
            kv.release(1, b.tokens, b.cached);
            KvCache.Binding got = kv.bind(new Seq(p), null);
            assertEquals(89, got.reusedTokens());
            assertArrayEquals(java.util.Arrays.copyOf(p, 89), mem.held(got.slot()));
        }
    }
}
