package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class PenaltyHistoryTest {

    @Test
    void countsTheLastWindowTokensLikeADeque() {
        for (int window : new int[] {1, 2, 3, 64, 500}) {
            var history = new PenaltyHistory(50, window);
            var model = new ArrayDeque<Integer>();
            var random = new SplittableRandom(window);
            for (int step = 0; step < 3000; step++) {
                int token = random.nextInt(random.nextBoolean() ? 3 : 50); // many repeats
                history.accept(token);
                model.addLast(token);
                if (model.size() > window) {
                    model.removeFirst();
                }
                assertSame(model, history);
            }
            history.clear();
            model.clear();
            assertSame(model, history);
        }
    }

    @Test
    void unboundedCountsEverything() {
        var history = new PenaltyHistory(10, -1);
        for (int i = 0; i < 1000; i++) {
            history.accept(i % 7);
        }
        assertEquals(7, history.distinctCount());
        assertEquals(143, history.count(0));
        assertEquals(142, history.count(6));
        assertEquals(0, history.count(9));
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PenaltyHistory(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new PenaltyHistory(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new PenaltyHistory(10, -2));
        var history = new PenaltyHistory(10, 4);
        assertThrows(IllegalArgumentException.class, () -> history.accept(10));
        assertThrows(IllegalArgumentException.class, () -> history.accept(-1));
    }

    private static void assertSame(ArrayDeque<Integer> model, PenaltyHistory history) {
        var expected = new TreeMap<Integer, Integer>();
        for (int t : model) {
            expected.merge(t, 1, Integer::sum);
        }
        var actual = new TreeMap<Integer, Integer>();
        int[] distinct = Arrays.copyOf(history.distinct(), history.distinctCount());
        for (int t : distinct) {
            actual.put(t, history.counts()[t]);
        }
        assertEquals(expected, actual);
        for (int t = 0; t < history.counts().length; t++) {
            assertEquals(expected.getOrDefault(t, 0), history.count(t), "count of " + t);
        }
    }
}
