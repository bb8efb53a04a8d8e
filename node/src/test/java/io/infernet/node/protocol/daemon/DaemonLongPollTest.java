package io.infernet.node.protocol.daemon;

import static io.infernet.node.protocol.daemon.DaemonHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.testing.FakeEngine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Job pickup by long poll against a control plane that offers it, and plain polling against one that does not. */
class DaemonLongPollTest extends DaemonFixture {

    @Override
    FakeEngine newEngine() {
        return new FakeEngine("m");
    }

    /** A period far longer than the test: only a long poll can pick the job up in time. */
    private DaemonSettings slowPolling() {
        DaemonSettings s = h.settings(false);
        return s.withIntervals(s.heartbeatEvery(), Duration.ofSeconds(60), s.commandPollEvery());
    }

    /** Waits until a job poll after the first {@code skip} holds open (asks the control plane to wait). */
    private void awaitLongPollHeldOpen(String what, int skip) {
        await(what, () -> cp.requests("jobs/poll").stream().skip(skip)
                .anyMatch(r -> r.body() != null && r.body().path("wait_ms").asLong() > 0));
    }

    /** Assigns the chat job {@code id} and checks its first event comes within a second. */
    private void assertPickedUpWithinASecond(String id) {
        long t0 = System.nanoTime();
        cp.addJob(id, "chat", null, DaemonContractTest.chatSpec("hi", 4));
        await(id + "'s first event", () -> !cp.events(id).isEmpty());
        long pickupMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(pickupMs < 1_000, id + " picked up after " + pickupMs + " ms");
    }

    @Test
    void aJobAssignedWhileTheNodeWaitsIsPickedUpAtOnce() {
        cp.longPoll(true);
        try (NodeDaemon d = h.daemon(slowPolling())) {
            d.start();
            awaitLongPollHeldOpen("a long poll held open", 0);
            assertPickedUpWithinASecond("j1");
            await("the completion", () -> !cp.jobCompletions("j1").isEmpty());
        }
    }

    @Test
    void aLongPollThatFailsResumesWithinSecondsNotAfterThePeriod() {
        cp.longPoll(true);
        try (NodeDaemon d = h.daemon(slowPolling())) { // a 60 s period
            d.start();
            awaitLongPollHeldOpen("a long poll held open", 0);
            cp.failNext("jobs/poll", 503, 1); // the next long poll fails, as against a control plane restarting
            cp.addJob("j1", "chat", null, DaemonContractTest.chatSpec("hi", 4));
            await("the first job's completion", () -> !cp.jobCompletions("j1").isEmpty());
            int before = cp.requests("jobs/poll").size();
            awaitLongPollHeldOpen("a long poll held open again", before);
            assertPickedUpWithinASecond("j2");
        }
    }

    @Test
    void againstTheReferenceBehaviourTheNodePollsOnItsPeriodOnly() {
        DaemonSettings s = h.settings(false);
        try (NodeDaemon d = h.daemon(s.withIntervals(s.heartbeatEvery(), Duration.ofMillis(300), s.commandPollEvery()))) {
            d.start();
            await("four polls", () -> cp.requests("jobs/poll").size() >= 4);
            long t0 = System.nanoTime();
            int before = cp.requests("jobs/poll").size();
            await("four more polls", () -> cp.requests("jobs/poll").size() >= before + 4);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // four polls on a 300 ms period take at least ~900 ms: no poll follows another at once
            assertTrue(ms >= 800, "4 polls in " + ms + " ms");
            assertTrue(cp.requests("jobs/poll").stream().allMatch(r -> r.body().path("wait_ms").asLong(0) == 0));
            assertEquals(0, cp.requests("jobs/poll").stream().filter(r -> r.body().has("long_poll")).count());
        }
    }
}
