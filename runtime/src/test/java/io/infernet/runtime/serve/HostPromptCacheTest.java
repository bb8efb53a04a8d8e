package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
