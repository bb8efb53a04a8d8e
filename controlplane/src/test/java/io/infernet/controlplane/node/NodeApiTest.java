package io.infernet.controlplane.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.controlplane.db.Rows;
import io.infernet.controlplane.jobs.JobStore;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.ControlPlaneException;
import io.infernet.node.protocol.envelope.AuthEnvelope;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The twelve node routes on a real PostgreSQL, through the node's own signed client and raw HTTP. */
class NodeApiTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A job assigned straight to {@code node} (what the dispatcher does), with an offer. */
    static String assignedJob(TestNode node, BigDecimal offer) {
        return cp.db().tx(c -> {
            ObjectNode spec = Json.object();
            spec.putArray("messages").addObject().put("role", "user").put("content", "hi");
            UUID id = new JobStore().create(c, new JobStore.NewJob("t", "chat", null, spec, offer, "USDC", null, null, Set.of()));
            Rows.update(c, "update jobs set status = 'assigned', provider_id = (select id from providers where public_key = ?) where id = ?",
                    node.pubkey(), id);
            return id.toString();
        });
    }

    static int status(ControlPlaneException e) {
        return e.status();
    }

    @Test
    void beforeRegisterEveryProviderRouteIs404AndAfterItTheRowIsThere() {
        TestNode n = new TestNode(cp.baseUrl(), "fresh");
        ControlPlaneException hb = assertThrows(ControlPlaneException.class, () -> n.heartbeat(4, 0, "m"));
        assertEquals(404, hb.status());
        assertEquals("no row for this pubkey — call /register first", hb.getMessage().substring(hb.getMessage().indexOf("no row")));
        assertEquals(404, assertThrows(ControlPlaneException.class, n::poll).status());
        assertTrue(n.client.me("provider") == null);

        JsonNode reg = n.register();
        assertEquals(n.nodeId, reg.get("node_id").asText());
        JsonNode row = n.client.me("provider");
        assertEquals(n.pubkey(), row.get("public_key").asText());
        assertEquals("available", row.get("status").asText());
        assertEquals(reg.get("id").asText(), n.heartbeat(4, 0, "m").get("id").asText());
        assertEquals("m", n.client.me("provider").get("specs").get("served_models").get(0).asText());
    }

    @Test
    void registerKeepsACoarseGpuSummaryAndRefusesAnotherKeysNodeId() {
        TestNode a = new TestNode(cp.baseUrl(), "a");
        ObjectNode b = Json.object().put("role", "provider").put("node_id", a.nodeId).put("name", "a").put("gpu_model", "RTX 4090");
        ObjectNode specs = b.putObject("specs");
        specs.putArray("gpus").addObject().put("vendor", "NVIDIA").put("vram_tier", "16-24gb").put("model", "RTX 4090").put("vram_mb", 24564);
        specs.putObject("cpu").put("cores", 16);
        a.client.call("register", b);
        JsonNode stored = a.client.me("provider").get("specs");
        assertEquals(Set.of("gpus", "gpu_count"), fields(stored));
        assertEquals("nvidia", stored.get("gpus").get(0).get("vendor").asText());
        assertEquals("16-24gb", stored.get("gpus").get(0).get("vram_tier").asText());

        TestNode thief = new TestNode(cp.baseUrl(), "b");
        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> thief.client.call("register", Json.object().put("role", "provider").put("node_id", a.nodeId)));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("node_id is registered to a different pubkey"));
        assertEquals(400, assertThrows(ControlPlaneException.class,
                () -> thief.client.call("register", Json.object().put("role", "nobody").put("node_id", "x"))).status());
    }

    @Test
    void pollEventsCompleteAndPayOnceEvenWhenCompletedTwice() {
        TestNode n = new TestNode(cp.baseUrl(), "worker").online("m");
        n.client.setPayout("usdc", "base", "0xabc");
        String job = assignedJob(n, new BigDecimal("0.25"));
        JsonNode polled = n.poll();
        assertEquals(job, polled.get("jobs").get(0).get("id").asText());
        assertEquals(Set.of("id", "title", "type", "status", "payment_offer", "payment_coin", "model_name", "input_spec", "created_at"),
                fields(polled.get("jobs").get(0)));
        assertEquals(job, n.poll().get("jobs").get(0).get("id").asText(), "an assigned job comes back until completed");

        assertEquals(3, n.events(job, TestNode.meta("m"), TestNode.token("Hel"), TestNode.token("lo")).get("inserted").asInt());
        assertEquals(1, n.events(job, TestNode.done("Hello", "length")).get("inserted").asInt());
        assertEquals(0, n.events(job, TestNode.token("late")).get("inserted").asInt(), "nothing after the terminal event");
        assertEquals("completed", n.complete(job, "Hello", 2).get("status").asText());
        assertEquals("completed", n.complete(job, "Hello", 2).get("status").asText());
        JsonNode payments = n.client.listPayments("provider", 10);
        assertEquals(1, payments.size(), payments.toString());
        assertEquals("0xabc", payments.get(0).get("address").asText());
        assertEquals(0, new BigDecimal("0.25").compareTo(payments.get(0).get("amount").decimalValue()));
        ObjectNode row = cp.db().read(c -> Rows.one(c, "select * from jobs where id = ?", UUID.fromString(job))).orElseThrow();
        assertEquals("length", row.get("finish_reason").asText());
        assertEquals(2, row.get("usage").get("completion_tokens").asInt());
        assertEquals(0, n.poll().get("jobs").size());
    }

    @Test
    void aNulCharacterInATokenIsStoredAsTheReplacementCharacter() {
        TestNode n = new TestNode(cp.baseUrl(), "nul").online("m");
        String job = assignedJob(n, BigDecimal.ZERO);
        assertEquals(2, n.events(job, TestNode.token("a\u0000b"), TestNode.done("a\u0000b", "stop")).get("inserted").asInt());
        assertEquals("completed", n.complete(job, "a\u0000b", 1).get("status").asText());
        JsonNode stored = cp.db().read(c -> Rows.one(c, "select data from job_events where job_id = ? and event_type = 'token'",
                UUID.fromString(job))).orElseThrow().get("data");
        assertEquals("a\uFFFDb", stored.get("text").asText());
    }

    @Test
    void anotherNodesJobIsForbiddenAndABadEventTypeRefusesTheBatch() {
        TestNode owner = new TestNode(cp.baseUrl(), "owner").online("m");
        TestNode other = new TestNode(cp.baseUrl(), "other").online("m");
        String job = assignedJob(owner, BigDecimal.ZERO);
        ControlPlaneException e = assertThrows(ControlPlaneException.class, () -> other.events(job, TestNode.token("x")));
        assertEquals(403, e.status());
        assertTrue(e.getMessage().contains("job not assigned to this provider"));
        assertEquals(403, assertThrows(ControlPlaneException.class, () -> other.complete(job, "x", 1)).status());
        assertEquals(404, assertThrows(ControlPlaneException.class, () -> owner.complete(UUID.randomUUID().toString(), "x", 1)).status());
        ControlPlaneException bad = assertThrows(ControlPlaneException.class,
                () -> owner.events(job, TestNode.token("ok"), TestNode.event("thought", Json.object())));
        assertEquals(400, bad.status());
        assertEquals(0, cp.db().read(c -> Rows.list(c, "select id from job_events where job_id = ?", UUID.fromString(job))).size());
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstAnswerAndStoresNothingTwice() throws Exception {
        TestNode n = new TestNode(cp.baseUrl(), "idem").online("m");
        String job = assignedJob(n, BigDecimal.ONE);
        String path = ControlPlaneClient.PREFIX + ControlPlaneClient.jobEventsRoute(job);
        byte[] body = "{\"events\":[{\"event_type\":\"token\",\"data\":{\"text\":\"a\"}}]}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> first = post(n, path, body, "k-1");
        HttpResponse<String> again = post(n, path, body, "k-1");
        assertEquals(200, first.statusCode());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(1, cp.db().read(c -> Rows.list(c, "select id from job_events where job_id = ?", UUID.fromString(job))).size());
        HttpResponse<String> misuse = post(n, path, "{\"events\":[{\"event_type\":\"token\",\"data\":{\"text\":\"b\"}}]}"
                .getBytes(StandardCharsets.UTF_8), "k-1");
        assertEquals(422, misuse.statusCode());

        String done = ControlPlaneClient.PREFIX + ControlPlaneClient.jobCompleteRoute(job);
        byte[] complete = "{\"status\":\"completed\",\"result\":{\"type\":\"chat\",\"text\":\"a\",\"token_count\":1}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, post(n, done, complete, "k-2").statusCode());
        assertEquals(200, post(n, done, complete, "k-2").statusCode());
        assertEquals(1, n.client.listPayments("provider", 10).size());
    }

    @Test
    void badEnvelopesAreRefusedWithTheReferencesStatusAndMessage() throws Exception {
        TestNode n = new TestNode(cp.baseUrl(), "auth").online("m");
        String path = ControlPlaneClient.PREFIX + "me";
        byte[] body = "{\"role\":\"provider\"}".getBytes(StandardCharsets.UTF_8);
        EnvelopeSigner signer = new EnvelopeSigner(n.key);

        assertRefused(send(path, body, null), "missing X-Infernet-Auth header");
        // a signature over another body
        assertRefused(send(path, body, signer.headerValue("POST", path, "{}".getBytes(StandardCharsets.UTF_8))), "signature verification failed");
        // a stale timestamp (61 s old)
        AuthEnvelope stale = signer.sign("POST", path, body, Instant.now().getEpochSecond() - 61, "00112233445566778899aabbccddeeff", new byte[32]);
        HttpResponse<String> r = send(path, body, stale.headerValue());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("timestamp outside replay window"), r.body());
        // a replay
        String once = signer.headerValue("POST", path, body);
        assertEquals(200, send(path, body, once).statusCode());
        assertRefused(send(path, body, once), "nonce already used");
    }

    @Test
    void commandsAreClaimedOnceAndCompletedByTheirTargetOnly() {
        TestNode n = new TestNode(cp.baseUrl(), "cmd").online("m");
        TestNode other = new TestNode(cp.baseUrl(), "cmd2").online("m");
        UUID id = cp.db().tx(c -> UUID.fromString(Rows.one(c, "insert into node_commands (pubkey, command, args) values (?, 'model_install', ?::jsonb) returning id",
                n.pubkey(), Json.object().put("model", "x")).orElseThrow().get("id").asText()));
        var first = n.client.pollCommands(5);
        assertEquals(1, first.size());
        assertEquals(id.toString(), first.getFirst().id());
        assertTrue(n.client.pollCommands(5).isEmpty(), "claimed: running, not handed out again");
        ControlPlaneException e = assertThrows(ControlPlaneException.class,
                () -> other.client.completeCommand(id.toString(), Json.object().put("status", "completed")));
        assertEquals(403, e.status());
        assertEquals(400, assertThrows(ControlPlaneException.class,
                () -> n.client.completeCommand(id.toString(), Json.object().put("status", "done"))).status());
        assertEquals("completed", n.client.completeCommand(id.toString(), Json.object().put("status", "completed")).get("status").asText());
        assertEquals("completed", n.client.completeCommand(id.toString(), Json.object().put("status", "failed")).get("status").asText());
    }

    @Test
    void payoutsPaymentsAndRemove() {
        TestNode n = new TestNode(cp.baseUrl(), "payee").online("m");
        n.client.setPayout("btc", "bitcoin", "bc1qa");
        JsonNode row = n.client.setPayout("ETH", "ethereum", "0xb");
        assertEquals("ETH", row.get("coin").asText());
        JsonNode list = n.client.listPayouts();
        assertEquals(2, list.size());
        assertTrue(list.get(0).get("is_default").asBoolean());
        assertEquals("ETH", list.get(0).get("coin").asText());
        assertFalse(list.get(1).get("is_default").asBoolean());
        assertEquals(0, n.client.listPayments("aggregator", 5).size());
        JsonNode removed = n.client.remove("provider");
        assertTrue(removed.get("deleted").asBoolean());
        assertNotNull(removed.get("id"));
        assertFalse(n.client.remove("provider").get("deleted").asBoolean());
    }

    private static void assertRefused(HttpResponse<String> r, String message) {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Json.object().put("error", message).toString(), r.body());
    }

    private static HttpResponse<String> send(String path, byte[] body, String header) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cp.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (header != null) {
            b.header(AuthEnvelope.HEADER, header);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(TestNode n, String path, byte[] body, String key) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(cp.baseUrl() + path))
                .header("content-type", "application/json")
                .header(AuthEnvelope.HEADER, new EnvelopeSigner(n.key).headerValue("POST", path, body))
                .header(Idempotency.HEADER, key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static Set<String> fields(JsonNode n) {
        Set<String> s = new java.util.TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }
}
