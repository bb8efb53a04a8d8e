package io.infernet.node.protocol.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.RetryPolicy;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.identity.NodeKey;
import io.infernet.node.protocol.testing.FakeControlPlane;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    @TempDir
    Path tmp;

    private static Delivery events(String job, String text) {
        var evs = Json.array();
        evs.addObject().put("event_type", "token").putObject("data").put("text", text);
        return new Delivery(Delivery.jobKey(job), ControlPlaneClient.jobEventsRoute(job), ControlPlaneClient.jobEventsBody(evs));
    }

    private static Delivery complete(String job) {
        return new Delivery(Delivery.jobKey(job), ControlPlaneClient.jobCompleteRoute(job), Json.object().put("status", "completed"));
    }

    @Test
    void survivesReopenInOrderAndIgnoresATornLastLine() throws Exception {
        Path f = tmp.resolve("state").resolve("outbox.jsonl");
        try (Outbox o = Outbox.open(f)) {
            o.append(events("a", "1"));
            o.append(events("b", "x"));
            var third = o.append(complete("a"));
            o.ack(o.head().orElseThrow().seq());
            assertEquals(2, o.size());
            assertEquals(3, third.seq());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.writeString(f, "{\"op\":\"put\",\"seq\":9,\"key\":\"job:z\",\"ro", StandardOpenOption.APPEND); // crash mid-write
        try (Outbox o = Outbox.open(f)) {
            assertEquals(List.of("jobs/b/events", "jobs/a/complete"), o.entries().stream().map(e -> e.delivery().route()).toList());
            assertTrue(o.hasPending("job:a"));
            assertFalse(o.hasPending("job:c"));
            assertEquals(4, o.append(events("c", "y")).seq(), "sequence continues after the highest seen");
            o.entries().forEach(e -> o.ack(e.seq()));
            assertEquals(0, o.size());
        }
        assertEquals(0, Files.size(f), "an empty outbox is truncated");
        try (Outbox o = Outbox.open(f)) {
            assertEquals(0, o.size());
        }
    }

    @Test
    void oneProcessPerOutboxAndAReadOnlyCount() throws Exception {
        Path f = tmp.resolve("outbox.jsonl");
        try (Outbox o = Outbox.open(f)) {
            o.append(events("a", "1"));
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> Outbox.open(f));
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
            assertEquals(1, Outbox.pendingCount(f));
        }
        try (Outbox o = Outbox.open(f)) {
            assertEquals(1, o.size(), "the lock is released on close");
        }
    }

    @Test
    void compactsAfterManyAcks() throws Exception {
        Path f = tmp.resolve("outbox.jsonl");
        try (Outbox o = Outbox.open(f, 50)) {
            o.append(events("keep", "k"));
            for (int i = 0; i < 120; i++) {
                o.ack(o.append(events("j" + i, "t")).seq());
            }
            assertEquals(1, o.size());
        }
        long lines = Files.readAllLines(f, StandardCharsets.UTF_8).size();
        assertTrue(lines < 50, "compacted, got " + lines + " lines");
        try (Outbox o = Outbox.open(f)) {
            assertEquals("jobs/keep/events", o.head().orElseThrow().delivery().route());
        }
    }

    @Test
    void queuesWhileDownDrainsInOrderAfterRecoveryAndAcrossARestart() throws Exception {
        Path f = tmp.resolve("outbox.jsonl");
        NodeKey key = NodeKey.generate(new SecureRandom());
        try (FakeControlPlane cp = new FakeControlPlane()) {
            ControlPlaneClient client = new ControlPlaneClient(cp.url(), new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                    new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(10)), Duration.ofSeconds(5));
            RetryPolicy backoff = new RetryPolicy(1, Duration.ofMillis(20), Duration.ofMillis(100));
            cp.down();
            Outbox outbox = Outbox.open(f);
            DeliveryService ds = new DeliveryService(client, outbox, backoff);
            ds.start();
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("a", "1")));
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("b", "1")));
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("a", "2")));
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(complete("a")));
            // The process stops while the control plane is away.
            ds.close();
            outbox.close();

            Outbox reopened = Outbox.open(f);
            assertEquals(4, reopened.size());
            cp.up();
            DeliveryService ds2 = new DeliveryService(client, reopened, backoff);
            ds2.start();
            assertTrue(ds2.awaitDrained(Duration.ofSeconds(10)));
            assertEquals(List.of("1", "2"), cp.events("a").stream().map(e -> e.at("/data/text").asText()).toList());
            assertEquals(1, cp.jobCompletions("a").size());
            List<String> order = cp.requests().stream().filter(r -> r.status() == 200).map(r -> r.route()).toList();
            assertEquals(List.of("jobs/{id}/events", "jobs/{id}/events", "jobs/{id}/events", "jobs/{id}/complete"), order);
            // Once drained, a key sends directly again.
            assertEquals(DeliveryService.Outcome.SENT, ds2.submit(events("b", "2")));
            // A 4xx is dropped, not queued.
            var bad = Json.array();
            bad.addObject().put("event_type", "bogus");
            assertEquals(DeliveryService.Outcome.DROPPED, ds2.submit(new Delivery("job:b", "jobs/b/events", ControlPlaneClient.jobEventsBody(bad))));
            assertEquals(0, ds2.pending());
            assertTrue(cp.authFailures().isEmpty());
            ds2.close();
            reopened.close();
        }
    }

    @Test
    void aFailureMidStreamKeepsLaterBatchesOfThatJobBehindIt() throws Exception {
        NodeKey key = NodeKey.generate(new SecureRandom());
        try (FakeControlPlane cp = new FakeControlPlane(); Outbox outbox = Outbox.open(tmp.resolve("o.jsonl"))) {
            ControlPlaneClient client = new ControlPlaneClient(cp.url(), new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                    RetryPolicy.NONE, Duration.ofSeconds(5));
            DeliveryService ds = new DeliveryService(client, outbox, new RetryPolicy(1, Duration.ofMillis(200), Duration.ofMillis(200)));
            cp.failNext("jobs/{id}/events", 503, 1);
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("a", "1")));
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("a", "2")), "queued behind its predecessor");
            assertEquals(DeliveryService.Outcome.SENT, ds.submit(events("b", "1")), "other jobs are not held up");
            assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(complete("a")));
            ds.start();
            assertTrue(ds.awaitDrained(Duration.ofSeconds(10)));
            assertEquals(List.of("1", "2"), cp.events("a").stream().map(e -> e.at("/data/text").asText()).toList());
            assertEquals(1, cp.jobCompletions("a").size());
            ds.close();
        }
    }

    @Test
    void aDeliveryKeepsItsIdempotencyKeyAcrossARestart() throws Exception {
        Path f = tmp.resolve("outbox.jsonl");
        Delivery d = events("a", "1");
        try (Outbox o = Outbox.open(f)) {
            o.append(d);
        }
        try (Outbox o = Outbox.open(f)) {
            assertEquals(d.idempotencyKey(), o.head().orElseThrow().delivery().idempotencyKey());
        }
        // a line from before keys existed gets one, kept from then on
        Files.writeString(f, "{\"op\":\"put\",\"seq\":7,\"key\":\"job:o\",\"route\":\"jobs/o/complete\",\"body\":{}}\n");
        String given;
        try (Outbox o = Outbox.open(f)) {
            given = o.head().orElseThrow().delivery().idempotencyKey();
        }
        try (Outbox o = Outbox.open(f)) {
            assertEquals(given, o.head().orElseThrow().delivery().idempotencyKey());
        }
    }

    /**
     * The drainer's resend after a lost answer: the reference's events route
     * (apps/web/lib/data/node-api.js emitJobEvents) inserts again, so to such a server the
     * delivery is dropped; to a server that honours the key it is resent and lands once.
     */
    @Test
    void aQueuedDeliveryWhoseAnswerIsLostIsResentOnlyToAServerThatHonoursItsKey() throws Exception {
        NodeKey key = NodeKey.generate(new SecureRandom());
        for (boolean honours : new boolean[] {false, true}) {
            try (FakeControlPlane cp = new FakeControlPlane(); Outbox outbox = Outbox.open(tmp.resolve("k" + honours + ".jsonl"))) {
                if (honours) {
                    cp.honourIdempotencyKeys(true);
                }
                ControlPlaneClient client = new ControlPlaneClient(cp.url(), new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                        RetryPolicy.NONE, Duration.ofSeconds(5));
                DeliveryService ds = new DeliveryService(client, outbox, new RetryPolicy(1, Duration.ofMillis(20), Duration.ofMillis(50)));
                assertEquals(DeliveryService.Outcome.SENT, ds.submit(events("a", "0")));
                cp.failNext("jobs/{id}/events", 503, 1);
                cp.commitThenDrop("jobs/{id}/events", 1);
                assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(events("a", "1")));
                assertEquals(DeliveryService.Outcome.QUEUED, ds.submit(complete("a")));
                ds.start();
                assertTrue(ds.awaitDrained(Duration.ofSeconds(10)));
                assertEquals(List.of("0", "1"), cp.events("a").stream().map(e -> e.at("/data/text").asText()).toList(),
                        "each batch stored once (honours=" + honours + ")");
                assertEquals(1, cp.jobCompletions("a").size());
                int attempts = honours ? 3 : 2; // 503, committed-then-dropped, and (only with keys) the replayed resend
                assertEquals(attempts, cp.requests("jobs/{id}/events").size() - 1);
                ds.close();
            }
        }
    }
}
