package io.infernet.node.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.identity.NodeKey;
import io.infernet.node.protocol.testing.FakeControlPlane;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** All twelve node routes against the loopback control plane, which verifies every envelope. */
class ControlPlaneClientTest {

    private FakeControlPlane cp;
    private ControlPlaneClient client;
    private final NodeKey key = NodeKey.generate(new SecureRandom());

    @BeforeEach
    void start() throws Exception {
        cp = new FakeControlPlane();
        client = new ControlPlaneClient(cp.url() + "/", new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40)), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private void register() {
        client.register(Json.object().put("role", "provider").put("node_id", "provider-abcdef01").put("name", "n1"));
    }

    @Test
    void allTwelveRoutes() {
        Registration reg = client.register(Json.object().put("role", "provider").put("node_id", "provider-abcdef01").put("name", "n1"));
        assertEquals("provider-abcdef01", reg.nodeId());
        assertEquals("row-1", reg.id().asText());
        assertEquals("row-1", client.heartbeat(Json.object().put("role", "provider").put("status", "available")).get("id").asText());
        assertEquals(key.publicKeyHex(), client.me("provider").get("public_key").asText());

        cp.addJob("j1", "chat", null, Json.object());
        JobPoll poll = client.pollJobs(5);
        assertEquals(1, poll.jobs().size());
        PolledJob job = poll.jobs().getFirst();
        assertEquals("j1", job.id());
        assertEquals("chat", job.type());
        assertNull(job.modelName());
        assertEquals("row-1", poll.providerId().asText());

        var events = Json.array();
        events.addObject().put("event_type", "token").putObject("data").put("text", "hi");
        assertEquals(1, client.postJobEvents("j1", events));
        assertEquals("completed", client.completeJob("j1", Json.object().put("status", "completed")).get("status").asText());

        cp.addCommand("c1", "model_remove", Json.object().put("model", "x.gguf"));
        List<PolledCommand> cmds = client.pollCommands(10);
        assertEquals(1, cmds.size());
        assertEquals("model_remove", cmds.getFirst().command());
        assertEquals("x.gguf", cmds.getFirst().args().get("model").asText());
        assertEquals("failed", client.completeCommand("c1", Json.object().put("status", "failed").put("error", "no")).get("status").asText());

        JsonNode row = client.setPayout("USDC", "base", "0x52908400098527886E0F7030069857D2E4169EE7");
        assertEquals("base", row.get("network").asText());
        assertEquals(1, client.listPayouts().size());
        cp.addPayment(Json.object().put("amount", 1.5));
        assertEquals(1, client.listPayments("provider", 10).size());
        assertTrue(client.remove("provider").get("deleted").asBoolean());
        assertNull(client.me("provider"));

        assertTrue(cp.authFailures().isEmpty(), () -> cp.authFailures().toString());
        assertEquals(List.of("register", "heartbeat", "me", "jobs/poll", "jobs/{id}/events", "jobs/{id}/complete",
                        "commands/poll", "commands/{id}/complete", "payouts/set", "payouts/list", "payments/list", "remove", "me"),
                cp.requests().stream().map(FakeControlPlane.Recorded::route).toList());
        assertEquals("{\"limit\":5}", Json.compact(cp.requests("jobs/poll").getFirst().body()));
    }

    @Test
    void serverErrorsSurfaceTheMessageAndStatus() {
        var e = assertThrows(ControlPlaneException.class, () -> client.heartbeat(Json.object().put("role", "provider")));
        assertEquals(404, e.status());
        assertEquals("node not registered", e.serverMessage());
        assertEquals("heartbeat", e.route());
        assertFalse(e.retryable());
        assertEquals(1, cp.requests("heartbeat").size(), "4xx is not retried");

        register();
        NodeKey other = NodeKey.generate(new SecureRandom());
        var otherClient = ControlPlaneClient.create(cp.url(), new EnvelopeSigner(other));
        var forbidden = assertThrows(ControlPlaneException.class, () -> otherClient.register(
                Json.object().put("role", "provider").put("node_id", "provider-abcdef01").put("name", "x")));
        assertEquals(403, forbidden.status());
        assertTrue(forbidden.getMessage().contains("node_id belongs to another pubkey"));
    }

    @Test
    void retriesFiveHundredsAndDroppedConnectionsWithFreshNonces() {
        register();
        cp.failNext("heartbeat", 500, 1);
        cp.dropNext("heartbeat", 1);
        JsonNode d = client.heartbeat(Json.object().put("role", "provider").put("status", "available"));
        assertEquals("row-1", d.get("id").asText());
        var hb = cp.requests("heartbeat");
        assertEquals(List.of(500, -1, 200), hb.stream().map(FakeControlPlane.Recorded::status).toList());
        assertTrue(cp.authFailures().isEmpty(), "every retry is signed afresh (a reused nonce would be refused)");
    }

    @Test
    void givesUpAfterTheBoundedAttempts() {
        register();
        cp.failNext("heartbeat", 503, 10);
        var e = assertThrows(ControlPlaneException.class, () -> client.heartbeat(Json.object().put("role", "provider")));
        assertEquals(503, e.status());
        assertTrue(e.retryable());
        assertEquals(3, cp.requests("heartbeat").size());
    }

    @Test
    void unreachableIsANetworkFailure() {
        cp.down();
        var e = assertThrows(ControlPlaneException.class, () -> client.me("provider"));
        assertEquals(ControlPlaneException.NETWORK, e.status());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().startsWith("cannot reach the control plane (me)"), e.getMessage());
    }

    @Test
    void badArgumentsAndUrls() {
        assertThrows(IllegalArgumentException.class, () -> client.pollJobs(26));
        assertThrows(IllegalArgumentException.class, () -> client.pollCommands(0));
        assertThrows(IllegalArgumentException.class, () -> client.listPayments("provider", 101));
        assertThrows(IllegalArgumentException.class, () -> ControlPlaneClient.create("ftp://x", new EnvelopeSigner(key)));
        var e = assertThrows(IllegalArgumentException.class, () -> ControlPlaneClient.create(" ", new EnvelopeSigner(key)));
        assertTrue(e.getMessage().contains("infernet init --url"));
        assertEquals("jobs/a%2Fb/events", ControlPlaneClient.jobEventsRoute("a/b"));
    }

    @Test
    void jitteredBackoffStaysInBounds() {
        RetryPolicy p = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(1000));
        var rnd = new java.util.Random(1);
        for (int i = 0; i < 200; i++) {
            long d1 = p.delayBefore(1, rnd).toMillis();
            long d3 = p.delayBefore(3, rnd).toMillis();
            long d6 = p.delayBefore(6, rnd).toMillis();
            assertTrue(d1 >= 50 && d1 <= 100, "d1=" + d1);
            assertTrue(d3 >= 200 && d3 <= 400, "d3=" + d3);
            assertTrue(d6 >= 500 && d6 <= 1000, "d6=" + d6);
        }
    }
}
