package io.infernet.node.protocol.daemon;

import static io.infernet.node.protocol.daemon.DaemonHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeEngine;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The control plane misbehaves (500s, connections dropped before or after it did the work, down
 * for a few seconds, down across a node restart): the node keeps running, retries what may be
 * retried, drains its outbox in order, never runs a job twice and never doubles a write.
 */
@Tag("slow")
class DaemonFaultTest extends DaemonFixture {

    @Override
    FakeEngine newEngine() {
        return new FakeEngine("qwen2.5-0.5b-instruct");
    }

    private static List<String> tokenTexts(List<ObjectNode> events) {
        List<String> out = new ArrayList<>();
        events.stream().filter(e -> e.get("event_type").asText().equals("token")).forEach(e -> out.add(e.at("/data/text").asText()));
        return out;
    }

    private static List<String> numbered(int n) {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            t.add("t" + i + " ");
        }
        return t;
    }

    private static JsonNode spec(int maxTokens) {
        ObjectNode spec = Json.object();
        spec.putArray("messages").addObject().put("role", "user").put("content", "count");
        spec.put("max_tokens", maxTokens);
        return spec;
    }

    /** Concatenated token texts of a job's stored events (tokens are merged per flush). */
    private static String tokenText(List<ObjectNode> events) {
        return String.join("", tokenTexts(events));
    }

    /**
     * Against a control plane without idempotency (the reference: apps/web/lib/data/node-api.js
     * emitJobEvents inserts every batch it gets, completeJobForNode pays every completion):
     * errors the server answers itself and refused connections are retried without loss; a
     * batch whose answer was lost after the server stored it is not sent twice, so the stream
     * never repeats text (that batch is the only loss; done carries the whole text).
     */
    @Test
    void againstTheReferenceRetriesWhatSurelyDidNotLandAndNeverDuplicatesWhatDid() {
        engine.tokens = numbered(30);
        engine.tokenDelay = Duration.ofMillis(10);
        cp.failNext("jobs/{id}/events", 500, 2);
        cp.commitThenDrop("jobs/{id}/events", 1);
        cp.failNext("jobs/{id}/complete", 503, 1);
        cp.commitThenDrop("jobs/{id}/complete", 1);
        cp.dropNext("jobs/poll", 2);
        cp.failNext("heartbeat", 500, 3);
        cp.addJob("j", "chat", null, spec(100));
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("the completion landed", () -> !cp.jobCompletions("j").isEmpty());
        await("heartbeats succeed again", () -> cp.requests("heartbeat").stream().filter(r -> r.status() == 200).count() >= 2);
        await("the job's deliveries are settled", () -> d.jobs().activeJobs() == 0 && d.deliveries().pending() == 0);
        d.close();
        String all = String.join("", numbered(30));
        String got = tokenText(cp.events("j"));
        List<Integer> seen = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("t(\\d+) ").matcher(got);
        while (m.find()) {
            seen.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(seen.stream().sorted().distinct().toList(), seen, "no token twice, in order: " + got);
        List<FakeControlPlane.Recorded> posts = cp.requests("jobs/{id}/events");
        FakeControlPlane.Recorded lost = posts.stream().filter(r -> r.status() == FakeControlPlane.COMMITTED_THEN_DROPPED).findFirst().orElseThrow();
        assertEquals(lost, posts.stream().filter(r -> lost.idempotencyKey().equals(r.idempotencyKey())).toList().getLast(),
                "after its answer was lost, that batch was not sent again");
        assertEquals(all, cp.events("j").getLast().at("/data/text").asText(), "done carries the whole text");
        assertEquals(1, cp.jobCompletions("j").size(), "completed (and paid) once");
        assertEquals(1, engine.requests().size());
    }

    /**
     * Against this project's control plane, which honours Idempotency-Key (a repeated key gets
     * the first answer and stores nothing): connections dropped before or after the server did
     * the work are resent with the same key, and every token arrives exactly once.
     */
    @Test
    void withAControlPlaneThatHonoursKeysEveryFaultEndsWithEveryTokenOnce() {
        cp.honourIdempotencyKeys(true);
        engine.tokens = numbered(30);
        engine.tokenDelay = Duration.ofMillis(10);
        cp.addJob("j", "chat", null, spec(100));
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("a first batch (the node learns that keys are honoured)", () -> !cp.events("j").isEmpty());
        cp.failNext("jobs/{id}/events", 500, 1);
        cp.dropNext("jobs/{id}/events", 1);
        cp.commitThenDrop("jobs/{id}/events", 2);
        cp.failNext("jobs/{id}/complete", 503, 1);
        cp.commitThenDrop("jobs/{id}/complete", 1);
        cp.failNext("heartbeat", 500, 3);
        await("completion", () -> !cp.jobCompletions("j").isEmpty());
        await("the job's deliveries are settled", () -> d.jobs().activeJobs() == 0 && d.deliveries().pending() == 0);
        d.close();
        assertEquals(String.join("", numbered(30)), tokenText(cp.events("j")), "every token once, in order");
        assertEquals("meta", cp.eventTypes("j").getFirst());
        assertEquals("done", cp.eventTypes("j").getLast());
        assertEquals(1, cp.jobCompletions("j").size());
        assertTrue(cp.requests("jobs/{id}/events").stream().anyMatch(r -> r.status() == FakeControlPlane.COMMITTED_THEN_DROPPED));
        assertEquals(1, engine.requests().size());
    }

    @Test
    void aControlPlaneDownForSecondsMidJobIsRiddenOutAndTheOutboxDrainsInOrder() throws Exception {
        // Stopping the server may cut a request in flight (its fate unknown): with keys honoured it is resent safely.
        cp.honourIdempotencyKeys(true);
        engine.tokens = numbered(40);
        engine.tokenDelay = Duration.ofMillis(50); // a 2 s generation
        cp.addJob("long", "chat", null, spec(100));
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("the first events", () -> cp.events("long").size() >= 3);
        cp.down();
        await("the job finished while the control plane is away", () -> d.jobs().activeJobs() == 0 && d.deliveries().pending() > 0);
        assertTrue(d.deliveries().pending() > 0, "undeliverable batches wait in the outbox");
        assertTrue(Files.size(tmp.resolve("outbox.jsonl")) > 0);
        cp.up();
        await("completion after recovery", () -> !cp.jobCompletions("long").isEmpty());
        await("outbox drained", () -> d.deliveries().pending() == 0);
        await("heartbeats again", () -> cp.lastHeartbeat() != null && cp.requests("heartbeat").getLast().status() == 200);
        await("polls again", () -> cp.requests("jobs/poll").getLast().status() == 200);
        d.close();
        assertEquals(String.join("", numbered(40)), tokenText(cp.events("long")));
        assertEquals("done", cp.eventTypes("long").getLast());
        List<String> routes = cp.requests().stream()
                .filter(r -> r.status() == 200 && r.route().startsWith("jobs/{id}/")).map(FakeControlPlane.Recorded::route).toList();
        assertEquals("jobs/{id}/complete", routes.getLast(), "the completion never overtakes its events");
        assertEquals(1, cp.jobCompletions("long").size());
        assertEquals(1, engine.requests().size(), "polled again and again while assigned, run once");
    }

    @Test
    void theOutboxSurvivesARestartAndTheJobIsNotRunAgain() throws Exception {
        cp.honourIdempotencyKeys(false); // honoured, not echoed: the node is configured to rely on it
        h.idempotency = io.infernet.node.protocol.client.ControlPlaneClient.Idempotency.ON;
        engine.tokens = numbered(5);
        engine.gate = new java.util.concurrent.CountDownLatch(1);
        cp.addJob("r", "chat", null, spec(10));
        NodeDaemon first = h.daemon(h.settings(true));
        first.start();
        await("the job was polled", () -> !engine.requests().isEmpty());
        cp.down(); // the tokens, done and completion of 'r' cannot be delivered
        engine.gate.countDown();
        await("everything queued", () -> first.jobs().activeJobs() == 0 && first.deliveries().pending() > 0);
        first.close(); // the offline heartbeat fails too; the outbox stays on disk
        assertTrue(Files.size(tmp.resolve("outbox.jsonl")) > 0);
        assertTrue(cp.jobCompletions("r").isEmpty());

        cp.up(); // 'r' is still assigned on the control plane and comes back on every poll
        NodeDaemon second = h.daemon(h.settings(true));
        second.start();
        await("completion from the outbox", () -> !cp.jobCompletions("r").isEmpty());
        await("more polls", () -> cp.requests("jobs/poll").stream().filter(x -> x.status() == 200).count() >= 3);
        second.close();
        assertEquals(1, engine.requests().size(), "the restarted node did not run the job again");
        assertEquals(String.join("", numbered(5)), tokenText(cp.events("r")));
        assertEquals(1, cp.jobCompletions("r").size());
        assertEquals(0, Files.size(tmp.resolve("outbox.jsonl")));
    }

    @Test
    void startsWhileTheControlPlaneIsDownAndRegistersWhenItComesBack() throws Exception {
        cp.down();
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        assertTrue(!d.isRegistered(), "the control plane is down");
        await("two more registrations tried while the control plane is down", () -> d.registrationAttempts() >= 3);
        assertTrue(!d.isRegistered());
        cp.up();
        await("registered", d::isRegistered);
        await("heartbeat", () -> cp.lastHeartbeat() != null);
        d.close();
        assertTrue(cp.isRegistered(h.key.publicKeyHex()));
    }
}
