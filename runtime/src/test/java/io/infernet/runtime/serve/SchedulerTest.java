package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.runtime.serve.Scheduler.Limits;
import io.infernet.runtime.serve.Scheduler.Plan;
import io.infernet.runtime.serve.Scheduler.Work;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    /** A sequence as the scheduler sees it. */
    record S(String name, long arrival, int pendingTokens, int cachedTokens) implements Scheduler.Seq {}

    private static String describe(Plan<S> p) {
        StringBuilder b = new StringBuilder();
        for (Work<S> w : p.work()) {
            b.append(w.seq().name()).append(':').append(w.tokens()).append(w.samples() ? "*" : "").append(' ');
        }
        if (!p.preempted().isEmpty()) {
            b.append("preempt");
            for (S s : p.preempted()) {
                b.append(' ').append(s.name());
            }
        }
        return b.toString().trim();
    }

    @Test
    void admitsOldestFirstUpToFreeSlots() {
        var waiting = List.of(new S("c", 3, 10, 0), new S("a", 1, 10, 0), new S("d", 4, 10, 0), new S("b", 2, 10, 0));
        assertEquals(List.of("a", "b"), Scheduler.admit(waiting, 2, new Limits(512, 4)).stream().map(S::name).toList());
        assertEquals(List.of(), Scheduler.admit(waiting, 4, new Limits(512, 4)));
        assertEquals(List.of("a", "b", "c", "d"), Scheduler.admit(waiting, 0, new Limits(512, 8)).stream().map(S::name).toList());
    }

    /** A sequence that needs several slots when it starts (a request with several choices). */
    record G(String name, long arrival, int slotsNeeded) implements Scheduler.Seq {
        @Override
        public int pendingTokens() {
            return 10;
        }

        @Override
        public int cachedTokens() {
            return 0;
        }
    }

    @Test
    void aSequenceNeedingSeveralSlotsWaitsForThemAndIsNotOvertaken() {
        List<G> waiting = List.of(new G("n3", 1, 3), new G("b", 2, 1));
        Limits four = new Limits(512, 4);
        assertEquals(List.of("n3", "b"), Scheduler.admit(waiting, 0, four).stream().map(G::name).toList());
        assertEquals(List.of(), Scheduler.admit(waiting, 2, four), "two slots free: n3 waits and b may not pass it");
        assertEquals(List.of("n3"), Scheduler.admit(waiting, 1, four).stream().map(G::name).toList());
        List<G> big = List.of(new G("n9", 1, 9));
        assertEquals(List.of("n9"), Scheduler.admit(big, 0, four).stream().map(G::name).toList(), "capped at the slots there are");
    }

    @Test
    void decodesGoFirstThenPrefillChunksFromTheRestOfTheBudget() {
        // Budget 16: two decoding streams take one token each, the old long prompt gets 14.
        var running = List.of(new S("old", 1, 100, 0), new S("d1", 2, 1, 40), new S("d2", 3, 1, 50));
        Plan<S> p = Scheduler.plan(running, new Limits(16, 4), 1000);
        assertEquals("d1:1* d2:1* old:14", describe(p));
        assertEquals(16, p.tokens());
    }

    @Test
    void aLongPromptIsChunkedAcrossStepsAndSamplesOnlyAtItsEnd() {
        Plan<S> first = Scheduler.plan(List.of(new S("p", 1, 40, 0)), new Limits(16, 4), 1000);
        assertEquals("p:16", describe(first));
        Plan<S> last = Scheduler.plan(List.of(new S("p", 1, 8, 32)), new Limits(16, 4), 1000);
        assertEquals("p:8*", describe(last));
    }

    @Test
    void prefillsShareTheBudgetOldestFirst() {
        var running = List.of(new S("b", 2, 10, 0), new S("a", 1, 10, 0), new S("c", 3, 10, 0));
        assertEquals("a:10* b:6", describe(Scheduler.plan(running, new Limits(16, 4), 1000)));
    }

    @Test
    void decodesAreNotStarvedEvenWhenTheBudgetIsTiny() {
        var running = List.of(new S("long", 1, 500, 0), new S("d1", 2, 1, 10), new S("d2", 3, 1, 10));
        assertEquals("d1:1* d2:1*", describe(Scheduler.plan(running, new Limits(2, 4), 1000)));
    }

    @Test
    void preemptsTheYoungestUntilTheStepFitsTheFreeCells() {
        // 3 cells free; d1, d2, d3 each need one: fits. With 2 free, the youngest (d3) goes and
        // its 30 cached cells come back, so the rest fits.
        var running = List.of(new S("d1", 1, 1, 10), new S("d2", 2, 1, 20), new S("d3", 3, 1, 30));
        assertEquals("d1:1* d2:1* d3:1*", describe(Scheduler.plan(running, new Limits(16, 4), 3)));
        assertEquals("d1:1* d2:1* preempt d3", describe(Scheduler.plan(running, new Limits(16, 4), 2)));
    }

    @Test
    void preemptsSeveralIfOneIsNotEnoughAndNeverTheOldest() {
        var running = List.of(new S("a", 1, 20, 0), new S("b", 2, 1, 1), new S("c", 3, 1, 1));
        // needs 1 + 1 + 20 = 22 with 5 free: drop c (6 free, needs 21), drop b (7 free, needs 20),
        // a alone gets the 7 cells that are free.
        assertEquals("a:7 preempt c b", describe(Scheduler.plan(running, new Limits(64, 4), 5)));
    }

    @Test
    void aLoneSequenceWithNoCellLeftGetsNoWork() {
        Plan<S> p = Scheduler.plan(List.of(new S("a", 1, 1, 100)), new Limits(16, 4), 0);
        assertTrue(p.isEmpty());
        assertTrue(p.preempted().isEmpty());
    }

    @Test
    void finishedOrIdleSequencesGetNothing() {
        var running = List.of(new S("done", 1, 0, 50), new S("d", 2, 1, 5));
        assertEquals("d:1*", describe(Scheduler.plan(running, new Limits(16, 4), 100)));
    }
}
