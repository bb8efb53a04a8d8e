package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPromptCacheTest {

    private static HostPromptCache.Entry put(HostPromptCache c, int[] tokens, long bytes, boolean pinned) {
        return c.store(tokens, tokens.length, bytes, pinned, seg -> {
            seg.fill((byte) tokens.length);
            return bytes;
        }).orElse(null);
    }

    @Test
    void matchesOnTheExactTokenPrefixAndPicksTheLongest() {
        try (var c = new HostPromptCache(1000)) {
            put(c, new int[] {1, 2, 3, 4}, 100, false);
            put(c, new int[] {1, 2, 9, 9, 9}, 100, false);
            var m = c.longestPrefix(new int[] {1, 2, 3, 4, 5, 6}, 6, 1).orElseThrow();
            assertEquals(4, m.prefixLength());
            assertArrayEquals(new int[] {1, 2, 3, 4}, m.entry().tokens());
            assertEquals(2, c.longestPrefix(new int[] {1, 2, 7}, 3, 1).orElseThrow().prefixLength());
            assertTrue(c.longestPrefix(new int[] {5, 2, 3, 4}, 4, 1).isEmpty(), "a different first token shares nothing");
            assertTrue(c.longestPrefix(new int[] {1, 2, 3}, 3, 4).isEmpty(), "below the minimum prefix");
            // the state bytes are what the writer put there
            assertEquals(4, m.entry().state().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void evictsLeastRecentlyUsedFirstAndNeverPinned() {
        try (var c = new HostPromptCache(300)) {
            var a = put(c, new int[] {1}, 100, false);
            put(c, new int[] {2}, 100, true);
            put(c, new int[] {3}, 100, false);
            c.restored(a); // a is now the most recent
            put(c, new int[] {4}, 100, false); // evicts 3 (oldest unpinned), not pinned 2
            assertEquals(List.of(List.of(2), List.of(1), List.of(4)),
                    c.keys().stream().map(k -> java.util.Arrays.stream(k).boxed().toList()).toList());
            assertEquals(1, c.stats().evictions());
            assertEquals(300, c.stats().bytesUsed());
            // 250 bytes cannot fit next to the pinned 100 even with everything else gone:
            // refused, and nothing is evicted for nothing.
            assertTrue(c.store(new int[] {5}, 1, 250, false, s -> 250).isEmpty());
            assertEquals(3, c.stats().entries());
            assertEquals(1, c.stats().evictions());
        }
    }

    @Test
    void refusesWhatCanNeverFitAndFreesOnFailedWrites() {
        try (var c = new HostPromptCache(100)) {
            assertTrue(c.store(new int[] {1}, 1, 101, false, s -> 101).isEmpty());
            assertTrue(c.store(new int[] {1}, 1, 50, false, s -> 0).isEmpty(), "writer failure");
            assertEquals(0, c.stats().bytesUsed());
            assertEquals(0, c.stats().entries());
        }
        // More than the host has (malloc gives nothing at once, nothing is touched): no entry, no error.
        try (var c = new HostPromptCache(Long.MAX_VALUE)) {
            assertTrue(c.store(new int[] {1}, 1, Long.MAX_VALUE / 2, false, s -> 1).isEmpty());
            assertEquals(0, c.stats().bytesHeld());
        }
    }

    @Test
    void aLongerEntryReplacesItsPrefixes() {
        try (var c = new HostPromptCache(1000)) {
            put(c, new int[] {1, 2}, 100, false);
            put(c, new int[] {1, 2, 3}, 100, false);
            assertEquals(1, c.stats().entries());
            assertTrue(c.covers(new int[] {1, 2}, 2));
            assertTrue(c.covers(new int[] {1, 2, 3}, 3));
            assertFalse(c.covers(new int[] {1, 2, 3, 4}, 4));
        }
    }

    @Test
    void anEvictedEntrysMemoryHoldsTheNextStateAndTheEvictedEntryFailsOnAccess() {
        try (var c = new HostPromptCache(200)) {
            var a = put(c, new int[] {1}, 100, false);
            long address = a.state().address();
            put(c, new int[] {2}, 100, false);
            // full: evicts {1}, and its 100-byte block holds the 90 bytes
            var b = c.store(new int[] {3}, 1, 90, false, seg -> {
                seg.fill((byte) 77);
                return 90;
            }).orElseThrow();
            assertEquals(address, b.state().address(), "written into the evicted entry's memory");
            assertEquals(90, b.bytes());
            assertEquals(77, b.state().get(ValueLayout.JAVA_BYTE, 89));
            assertThrows(IllegalStateException.class, () -> a.state().get(ValueLayout.JAVA_BYTE, 0),
                    "an entry held past its eviction must not read the state that replaced it");
            assertEquals(200, c.stats().bytesUsed(), "the block counts whole");
            assertEquals(0, c.stats().spareBytes());
            assertEquals(1, c.stats().evictions());
        }
    }

    @Test
    void sparesCountAgainstTheBudget() {
        try (var c = new HostPromptCache(300)) {
            var a = put(c, new int[] {1}, 100, false);
            var b = put(c, new int[] {2}, 120, false);
            c.remove(a);
            c.remove(b);
            assertEquals(220, c.stats().spareBytes());
            assertEquals(220, c.stats().bytesHeld());
            // 40 bytes: neither spare is at most twice as large, so fresh memory; the spares stay while they fit
            var d = put(c, new int[] {4}, 40, false);
            assertEquals(40, c.stats().bytesUsed());
            assertEquals(220, c.stats().spareBytes());
            // 110 bytes: the 120-byte spare holds it
            var e = put(c, new int[] {5}, 110, false);
            assertEquals(160, c.stats().bytesUsed());
            assertEquals(100, c.stats().spareBytes());
            // 250 bytes: no spare holds it; both entries are evicted to make room, and the spares
            // (100, 40, 120) are freed until the new block fits beside them: all of them
            put(c, new int[] {6}, 250, false);
            assertEquals(250, c.stats().bytesUsed());
            assertEquals(0, c.stats().spareBytes());
            assertEquals(2, c.stats().evictions());
            assertThrows(IllegalStateException.class, () -> d.state().get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> e.state().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void scratchMemoryComesFromASpareAndGoesBackWithinTheBudget() {
        try (var c = new HostPromptCache(300)) {
            var a = put(c, new int[] {1}, 100, false);
            long address = a.state().address();
            c.remove(a);
            var s = c.scratch(80); // the 100-byte spare holds it
            assertEquals(address, s.segment().address());
            assertEquals(80, s.segment().byteSize());
            assertEquals(0, c.stats().spareBytes(), "lent out");
            s.segment().fill((byte) 3);
            c.release(s);
            assertEquals(100, c.stats().spareBytes(), "back as a spare: the budget has room");
            assertThrows(IllegalStateException.class, () -> s.segment().get(ValueLayout.JAVA_BYTE, 0), "released");

            put(c, new int[] {2}, 250, false); // the spare is freed to make room
            var big = c.scratch(120); // no spare: fresh memory
            c.release(big);
            assertEquals(0, c.stats().spareBytes(), "250 + 120 > 300: freed, not kept");
            assertEquals(250, c.stats().bytesHeld());
        }
    }
}
