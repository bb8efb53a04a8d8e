package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.runtime.serve.SlotTable.Placement;
import io.infernet.runtime.serve.SlotTable.Source;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SlotTableTest {

    private static final BiPredicate<int[], Integer> HOST_HAS_NOTHING = (t, n) -> false;

    /** Tokens from..to-1. */
    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    private static SlotTable.Idle idle(int[] tokens) {
        return new SlotTable.Idle(new IntList(tokens), tokens.length);
    }

    private static Placement place(SlotTable t, int[] prompt) {
        return t.place(prompt, prompt.length, Optional.empty(), HOST_HAS_NOTHING);
    }

    @Test
    void anEmptyTableStartsFromScratchInTheFirstSlot() {
        Placement p = place(new SlotTable(4), range(0, 50));
        assertEquals(new Placement(0, Source.NONE, 0, -1, null, false), p);
    }

    @Test
    void anIdleSlotWithTheSamePrefixIsReusedInPlace() {
        SlotTable t = new SlotTable(4);
        t.assign(2, idle(range(0, 40)));
        t.release(2, idle(range(0, 40)));
        Placement p = place(t, concat(range(0, 40), new int[] {99, 98}));
        assertEquals(new Placement(2, Source.SAME_SLOT, 40, -1, null, false), p);
    }

    @Test
    void theLastPromptTokenIsAlwaysRecomputedForItsLogits() {
        SlotTable t = new SlotTable(2);
        t.assign(0, idle(range(0, 40)));
        t.release(0, idle(range(0, 40)));
        assertEquals(39, place(t, range(0, 40)).reuse());
    }

    @Test
    void aBusySlotsPrefixIsSharedIntoAFreeSlot() {
        SlotTable t = new SlotTable(3);
        t.assign(0, idle(range(0, 30)));
        Placement p = place(t, concat(range(0, 30), new int[] {7}));
        assertEquals(new Placement(1, Source.COPY_FROM_SLOT, 30, 0, null, false), p);
    }

    @Test
    void theHostCacheWinsWhenItHoldsMoreAndEnoughToBeWorthARestore() {
        SlotTable t = new SlotTable(2);
        t.assign(0, idle(range(0, 70)));
        t.release(0, idle(range(0, 70)));
        try (var cache = new HostPromptCache(1 << 20)) {
            int[] prompt = range(0, 120);
            var e = cache.store(range(0, 80), 80, 100, false, s -> 100).orElseThrow();
            var match = cache.longestPrefix(prompt, prompt.length, SlotTable.MIN_SHARE);
            Placement p = t.place(prompt, prompt.length, match, HOST_HAS_NOTHING);
            assertEquals(Source.HOST, p.source());
            assertEquals(80, p.reuse());
            assertSame(e, p.hostEntry());
            assertEquals(1, p.slot(), "the empty slot, keeping the idle one's cells");
            // 40 shared tokens of an entry holding 40 are worth a restore (a copy of 40 tokens' cells)...
            cache.store(range(500, 540), 40, 100, false, s -> 100).orElseThrow();
            int[] other = range(500, 560);
            Placement q = t.place(other, other.length, cache.longestPrefix(other, other.length, SlotTable.MIN_SHARE), HOST_HAS_NOTHING);
            assertEquals(new Placement(1, Source.HOST, 40, -1, q.hostEntry(), false), q);
            // ...but not of one holding more than SHARE_HELD_PER_SHARED times that: computed again, in the empty slot.
            cache.store(range(700, 1400), 700, 100, false, s -> 100).orElseThrow();
            int[] third = concat(range(700, 740), range(5000, 5020));
            Placement r = t.place(third, third.length, cache.longestPrefix(third, third.length, SlotTable.MIN_SHARE), HOST_HAS_NOTHING);
            assertEquals(Source.NONE, r.source());
            // Fewer than MIN_SHARE tokens are never worth it.
            int[] fourth = concat(range(500, 507), range(6000, 6020));
            Placement u = t.place(fourth, fourth.length, cache.longestPrefix(fourth, fourth.length, SlotTable.MIN_SHARE), HOST_HAS_NOTHING);
            assertEquals(Source.NONE, u.source());
        }
    }

    @Test
    void shortSharedPrefixesAreNotWorthACopyButAreKeptWhenFree() {
        SlotTable t = new SlotTable(2);
        t.assign(0, idle(range(0, 100)));
        t.release(0, idle(range(0, 100)));
        t.assign(1, idle(range(500, 600)));
        // Only 5 shared tokens with slot 0 (below MIN_REUSE); slot 1 is busy. The only free slot
        // is slot 0: its own 5 tokens are kept for free, and its other 95 are saved first.
        int[] prompt = concat(range(0, 5), range(900, 950));
        Placement p = place(t, prompt);
        assertEquals(new Placement(0, Source.SAME_SLOT, 5, -1, null, true), p);
    }

    @Test
    void overwritingAnIdleSlotSavesItUnlessTheHostAlreadyHasIt() {
        SlotTable t = new SlotTable(1);
        t.assign(0, idle(range(0, 40)));
        t.release(0, idle(range(0, 40)));
        int[] other = range(100, 140);
        assertTrue(place(t, other).saveFirst());
        assertFalse(t.place(other, other.length, Optional.empty(), (tokens, n) -> true).saveFirst());
    }

    @Test
    void leastRecentlyUsedIdleSlotIsTheOneOverwritten() {
        SlotTable t = new SlotTable(3);
        for (int i = 0; i < 3; i++) {
            t.assign(i, idle(range(i * 100, i * 100 + 20)));
        }
        t.release(1, idle(range(100, 120)));
        t.release(0, idle(range(0, 20)));
        t.release(2, idle(range(200, 220)));
        assertEquals(List.of(1, 0, 2), t.idleByLru());
        assertEquals(1, place(t, range(1000, 1010)).slot());
        assertEquals(60, t.cellsHeld());
        assertEquals(0, t.cellsHeldBusy());
    }

    @Test
    void noFreeSlotIsABug() {
        SlotTable t = new SlotTable(1);
        t.assign(0, idle(range(0, 3)));
        assertThrows(IllegalStateException.class, () -> place(t, range(0, 5)));
        assertThrows(IllegalStateException.class, () -> t.assign(0, idle(range(0, 3))));
    }

    @Test
    void withAStreamPerSlotBusySlotsStayPackedFromSlotZero() {
        SlotTable t = new SlotTable(4, false);
        t.assign(0, idle(range(0, 30)));
        t.assign(1, idle(range(100, 130)));
        t.release(1, idle(range(100, 130)));
        t.assign(2, idle(range(200, 300)));
        t.release(2, idle(range(200, 300)));
        // A prefix of 100 sits in slot 2, but slot 1 is the lowest free one: the prefix moves to
        // slot 1 (a copy of slot 2's stream), and slot 1's own tokens are saved before they go.
        Placement p = place(t, concat(range(200, 300), new int[] {5}));
        assertEquals(new Placement(1, Source.MOVE, 100, 2, null, true), p);
        // 30 shared tokens are worth a move too (a stream copy costs less than computing them).
        assertEquals(new Placement(1, Source.MOVE, 30, 2, null, true), place(t, concat(range(200, 230), new int[] {5})));
        // Fewer than MIN_REUSE are not: computed again in slot 1.
        assertEquals(Source.NONE, place(t, concat(range(200, 210), new int[] {5})).source());
        // A long prefix is worth the gap.
        t.assign(3, idle(range(300, 600)));
        t.release(3, idle(range(300, 600)));
        Placement q = place(t, concat(range(300, 600), new int[] {5}));
        assertEquals(new Placement(3, Source.SAME_SLOT, 300, -1, null, false), q);
        // Busy slot 0's prefix is copied as a sequence state into the lowest free slot (llama.cpp
        // shares no cells between streams); slot 1's own tokens are saved before they go.
        Placement r = place(t, concat(range(0, 30), new int[] {9}));
        assertEquals(new Placement(1, Source.COPY_STATE, 30, 0, null, true), r);
    }

    @Test
    void withAStreamPerSlotABusySlotIsCopiedFromOnlyWhenItSavesEnoughComputing() {
        SlotTable t = new SlotTable(3, false);
        t.assign(0, idle(range(0, 20)));
        // The prompt's last token is always computed: 20 shared, 19 reused.
        assertEquals(new Placement(1, Source.COPY_STATE, 19, 0, null, false), place(t, range(0, 20)));
        // Fewer than MIN_SHARE shared tokens: computed.
        assertEquals(Source.NONE, place(t, concat(range(0, SlotTable.MIN_SHARE - 1), new int[] {99, 98})).source());
        // An idle slot holding nearly as much wins (no copy of a busy slot for fewer than MIN_SHARE more tokens).
        t.assign(2, idle(concat(range(0, 15), new int[] {77})));
        t.release(2, idle(concat(range(0, 15), new int[] {77})));
        assertEquals(Source.NONE, place(t, concat(range(0, 20), new int[] {5})).source(),
                "15 tokens in idle slot 2 (short of MIN_REUSE and off the packing), 20 in busy slot 0: 5 more are not worth a copy");
        // A busy slot holding more than SHARE_HELD_PER_SHARED times the shared part is not copied from.
        SlotTable u = new SlotTable(2, false);
        u.assign(0, idle(range(0, 10 * SlotTable.SHARE_HELD_PER_SHARED + 1)));
        assertEquals(Source.NONE, place(u, concat(range(0, 10), new int[] {5, 6})).source());
        u.release(0, null);
        u.assign(0, idle(range(0, 10 * SlotTable.SHARE_HELD_PER_SHARED)));
        assertEquals(Source.COPY_STATE, place(u, concat(range(0, 10), new int[] {5, 6})).source());
    }
}
