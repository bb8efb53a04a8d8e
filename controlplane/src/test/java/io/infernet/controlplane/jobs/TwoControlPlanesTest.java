package io.infernet.controlplane.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.controlplane.db.Rows;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.envelope.AuthEnvelope;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two control planes on one database: every job assigned once, a nonce used at one refused at the other. */
class TwoControlPlanesTest {

    static ControlPlane a;
    static ControlPlane b;

    @BeforeAll
    static void up() {
        String db = TestDatabase.fresh();
        a = TestControlPlanes.start(db);
        b = TestControlPlanes.start(db);
    }

    @AfterAll
    static void down() {
        b.close();
        a.close();
    }

    @Test
    void concurrentDispatchersNeverAssignAJobTwiceOrOverfillAProvider() throws Exception {
        // three providers registered through different control planes, 2 slots each
        List<TestNode> nodes = List.of(new TestNode(a.baseUrl(), "p1"), new TestNode(b.baseUrl(), "p2"), new TestNode(a.baseUrl(), "p3"));
        for (TestNode n : nodes) {
            n.register();
            n.heartbeat(2, 0, "two-cp");
        }
        int jobs = 60;
        JobStore store = new JobStore();
        ObjectNode spec = Json.object();
        spec.putArray("messages").addObject().put("role", "user").put("content", "x");
        a.db().tx(c -> {
            for (int i = 0; i < jobs; i++) {
                store.create(c, new JobStore.NewJob("j" + i, "chat", "two-cp", spec, BigDecimal.ZERO, null, null, null, Set.of()));
            }
            return null;
        });
        // nodes take jobs from either control plane, complete them, and take more
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> duplicates = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                TestNode n = nodes.get(i);
                ControlPlane via = i % 2 == 0 ? b : a;
                TestNode viaNode = rebind(n, via);
                fs.add(pool.submit(() -> {
                    long end = System.nanoTime() + 60_000_000_000L;
                    while (seen.size() < jobs && System.nanoTime() < end) {
                        JsonNode p = viaNode.client.call("jobs/poll", Json.object().put("limit", 25).put("wait_ms", 500));
                        assertTrue(p.get("jobs").size() <= 2, "a provider with 2 slots holds " + p.get("jobs").size());
                        for (JsonNode j : p.get("jobs")) {
                            String id = j.get("id").asText();
                            if (!seen.add(id)) {
                                duplicates.add(id);
                            }
                            viaNode.complete(id, "ok", 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), duplicates);
        assertEquals(jobs, seen.size());
        assertEquals(jobs, a.db().read(c -> Rows.list(c, "select id from jobs where status = 'completed' and attempts = 1")).size());
    }

    /** The same identity, talking to another control plane. */
    static TestNode rebind(TestNode n, ControlPlane via) {
        return n.via(via.baseUrl());
    }

    @Test
    void aNonceAcceptedByOneControlPlaneIsRefusedByTheOther() throws Exception {
        TestNode n = new TestNode(a.baseUrl(), "nonce");
        n.register();
        String path = ControlPlaneClient.PREFIX + "me";
        byte[] body = "{\"role\":\"provider\"}".getBytes(StandardCharsets.UTF_8);
        String header = new EnvelopeSigner(n.key).headerValue("POST", path, body);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + path)).header(AuthEnvelope.HEADER, header)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> replay = http.send(HttpRequest.newBuilder(URI.create(b.baseUrl() + path)).header(AuthEnvelope.HEADER, header)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, first.statusCode());
        assertEquals(401, replay.statusCode());
        assertEquals("{\"error\":\"nonce already used\"}", replay.body());
    }
}
