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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane misbehaves (500s, dropped connections, down for a few seconds, down across
 * a node restart): the node keeps running, retries, drains its outbox in order, and never runs
 * a job twice.
 */
@Tag("slow")
class DaemonFaultTest {

    @TempDir
    Path tmp;

    private FakeControlPlane cp;
    private FakeEngine engine;
    private DaemonHarness h;

    @BeforeEach
    void start() throws Exception {
        cp = new FakeControlPlane();
        engine = new FakeEngine("qwen2.5-0.5b-instruct");
        h = new DaemonHarness(cp, engine, tmp);
    }

    @AfterEach
    void stop() {
        assertTrue(cp.authFailures().isEmpty(), () -> "refused envelopes: " + cp.authFailures());
        cp.close();
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

    @Test
    void fiveHundredsAndDroppedConnectionsAreRetriedWithoutLossOrDuplicates() {
        engine.tokens = numbered(30);
        engine.tokenDelay = Duration.ofMillis(10);
        cp.failNext("jobs/{id}/events", 500, 2);
        cp.dropNext("jobs/{id}/events", 2);
        cp.failNext("jobs/{id}/complete", 503, 1);
        cp.dropNext("jobs/poll", 2);
        cp.failNext("heartbeat", 500, 3);
        cp.addJob("j", "chat", null, spec(100));
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("completion", () -> !cp.jobCompletions("j").isEmpty());
        await("heartbeats succeed again", () -> cp.requests("heartbeat").stream().filter(r -> r.status() == 200).count() >= 2);
        d.close();
        assertEquals(numbered(30), tokenTexts(cp.events("j")), "every token once, in order");
        assertEquals("meta", cp.eventTypes("j").getFirst());
        assertEquals("done", cp.eventTypes("j").getLast());
        assertEquals(1, cp.jobCompletions("j").size());
        assertEquals(1, engine.requests().size());
    }

    @Test
    void aControlPlaneDownForSecondsMidJobIsRiddenOutAndTheOutboxDrainsInOrder() throws Exception {
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
        assertEquals(numbered(40), tokenTexts(cp.events("long")));
        assertEquals("done", cp.eventTypes("long").getLast());
        List<String> routes = cp.requests().stream()
                .filter(r -> r.status() == 200 && r.route().startsWith("jobs/{id}/")).map(FakeControlPlane.Recorded::route).toList();
        assertEquals("jobs/{id}/complete", routes.getLast(), "the completion never overtakes its events");
        assertEquals(1, cp.jobCompletions("long").size());
        assertEquals(1, engine.requests().size(), "polled again and again while assigned, run once");
    }

    @Test
    void theOutboxSurvivesARestartAndTheJobIsNotRunAgain() throws Exception {
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
        assertEquals(numbered(5), tokenTexts(cp.events("r")));
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
