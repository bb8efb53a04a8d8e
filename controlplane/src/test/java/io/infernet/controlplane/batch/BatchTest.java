package io.infernet.controlplane.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.controlplane.users.Users;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batch jobs end to end with providers driven by hand: chunking, fan-out, retries elsewhere, the manifest. */
class BatchTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());
    static String token;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void addUser() {
        Users users = new Users(cp.db(), Clock.systemUTC());
        token = users.token(users.ensure("batcher@example.org"), Duration.ofDays(1));
    }

    static JsonNode call(String method, String path, String body, String bearer, int expect) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cp.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expect, r.statusCode(), r.body());
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A provider that serves every job it gets: embeds each input as [length], answers chat
     * with "<label-or-echo>"; {@code fail} decides which jobs it fails instead.
     */
    static Thread worker(TestNode n, AtomicBoolean stop, Predicate<JsonNode> fail, Set<String> served) {
        return Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                JsonNode p = n.client.call("jobs/poll", Json.object().put("limit", 25).put("wait_ms", 300));
                for (JsonNode j : p.get("jobs")) {
                    String id = j.get("id").asText();
                    if (!served.add(n.name + id)) {
                        continue;
                    }
                    if (fail.test(j)) {
                        n.client.call(ControlPlaneClient.jobCompleteRoute(id), Json.object().put("status", "failed").put("error", "injected"));
                        continue;
                    }
                    ObjectNode body = Json.object().put("status", "completed");
                    ObjectNode result = body.putObject("result");
                    if (j.get("type").asText().equals("embed")) {
                        var vs = result.put("type", "embed").putArray("embeddings");
                        j.get("input_spec").get("input").forEach(t -> vs.addArray().add(t.asText().length()));
                    } else {
                        JsonNode msgs = j.get("input_spec").get("messages");
                        String user = msgs.get(msgs.size() - 1).get("content").asText();
                        result.put("type", "chat").put("text", user.startsWith("spam") ? "SPAM!" : "echo: " + user).put("token_count", 2);
                    }
                    n.client.call(ControlPlaneClient.jobCompleteRoute(id), body);
                }
            }
        });
    }

    static JsonNode awaitSettled(String id) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            JsonNode s = call("GET", "/api/v1/jobs/batch/" + id + "/status", null, token, 200);
            if (Set.of("completed", "failed", "cancelled").contains(s.get("status").asText())) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("batch " + id + " did not settle within 60 s");
    }

    @Test
    void anEmbedBatchIsChunkedFannedOutRetriedElsewhereAndCollected() throws Exception {
        TestNode a = new TestNode(cp.baseUrl(), "emb-a").online("emb-model");
        TestNode b = new TestNode(cp.baseUrl(), "emb-b").online("emb-model");
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> served = ConcurrentHashMap.newKeySet();
        // whichever provider gets the first attempt of chunk 1 (items 4-7) fails it
        AtomicBoolean failedOnce = new AtomicBoolean();
        Predicate<JsonNode> failFirst = j -> j.get("input_spec").get("batch_items").get(0).asInt() == 4 && failedOnce.compareAndSet(false, true);
        Thread ta = worker(a, stop, failFirst, served);
        Thread tb = worker(b, stop, failFirst, served);
        try {
            StringBuilder items = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                items.append(i == 0 ? "" : ",").append("\"").append("x".repeat(i + 1)).append("\"");
            }
            JsonNode sub = call("POST", "/api/v1/jobs/batch", "{\"kind\":\"embed\",\"model\":\"emb-model\",\"items\":[" + items
                    + "],\"options\":{\"chunk_size\":4}}", token, 202);
            assertEquals(3, sub.get("chunk_count").asInt());
            JsonNode status = awaitSettled(sub.get("job_id").asText());
            assertEquals("completed", status.get("status").asText(), status.toString());
            assertEquals(1.0, status.get("progress").asDouble());
            JsonNode m = call("GET", "/api/v1/jobs/batch/" + sub.get("job_id").asText() + "/results", null, token, 200);
            for (int i = 0; i < 10; i++) {
                assertEquals(i + 1, m.get("items").get(i).get("result").get("embedding").get(0).asInt(), "item " + i);
            }
            assertEquals(3, m.get("summary").get("done").asInt());
            assertTrue(failedOnce.get(), "the injected failure happened");
            JsonNode retried = m.get("chunks").get(1);
            assertEquals(2, retried.get("attempts").asInt());
            assertEquals(2, retried.get("providers").size(), "the retry went to the other provider: " + retried);
        } finally {
            stop.set(true);
            ta.join();
            tb.join();
        }
    }

    @Test
    void chatAndClassifyBatchesAndAChunkThatNeverSucceeds() throws Exception {
        TestNode a = new TestNode(cp.baseUrl(), "chat-a").online("chat-model");
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = worker(a, stop, j -> j.get("input_spec").get("messages").toString().contains("poison"), ConcurrentHashMap.newKeySet());
        try {
            JsonNode chat = call("POST", "/api/v1/jobs/batch", "{\"kind\":\"chat\",\"model\":\"chat-model\",\"items\":[\"a\",\"b\","
                    + "{\"messages\":[{\"role\":\"user\",\"content\":\"c\"}]}],\"options\":{\"chunk_size\":2}}", token, 202);
            JsonNode cls = call("POST", "/api/v1/jobs/batch", "{\"kind\":\"classify\",\"model\":\"chat-model\",\"items\":[\"spam offer\",\"hello\"],"
                    + "\"options\":{\"labels\":[\"spam\",\"ham\"],\"max_attempts\":1}}", token, 202);
            JsonNode bad = call("POST", "/api/v1/jobs/batch", "{\"kind\":\"chat\",\"model\":\"chat-model\",\"items\":[\"fine\",\"poison\"],"
                    + "\"options\":{\"chunk_size\":1,\"max_attempts\":2}}", token, 202);
            assertEquals("completed", awaitSettled(chat.get("job_id").asText()).get("status").asText());
            JsonNode cm = call("GET", "/api/v1/jobs/batch/" + chat.get("job_id").asText() + "/results", null, token, 200);
            assertEquals("echo: c", cm.get("items").get(2).get("result").get("text").asText());

            awaitSettled(cls.get("job_id").asText());
            JsonNode km = call("GET", "/api/v1/jobs/batch/" + cls.get("job_id").asText() + "/results", null, token, 200);
            assertEquals("spam", km.get("items").get(0).get("result").get("label").asText());
            assertTrue(km.get("items").get(1).get("result").get("label").isNull(), "no label in 'echo: hello'");

            JsonNode bs = awaitSettled(bad.get("job_id").asText());
            assertEquals("completed", bs.get("status").asText(), "partial success still completes");
            JsonNode bm = call("GET", "/api/v1/jobs/batch/" + bad.get("job_id").asText() + "/results", null, token, 200);
            assertEquals("done", bm.get("items").get(0).get("status").asText());
            assertEquals("failed", bm.get("items").get(1).get("status").asText());
            assertEquals("failed_terminal", bm.get("chunks").get(1).get("status").asText());
            assertEquals(2, bm.get("chunks").get(1).get("attempts").asInt());
            assertEquals("injected", bm.get("chunks").get(1).get("error").asText());
        } finally {
            stop.set(true);
            t.join();
        }
    }

    @Test
    void submissionsAreValidatedAndBatchesArePrivate() throws Exception {
        call("POST", "/api/v1/jobs/batch", "{\"kind\":\"embed\",\"model\":\"m\",\"items\":[\"a\"]}", null, 401);
        assertTrue(call("POST", "/api/v1/jobs/batch", "{\"kind\":\"dream\",\"model\":\"m\",\"items\":[\"a\"]}", token, 400)
                .get("error").asText().contains("kind must be one of"));
        call("POST", "/api/v1/jobs/batch", "{\"kind\":\"classify\",\"model\":\"m\",\"items\":[\"a\"]}", token, 400);
        call("POST", "/api/v1/jobs/batch", "{\"kind\":\"embed\",\"model\":\"m\",\"items\":[]}", token, 400);
        JsonNode sub = call("POST", "/api/v1/jobs/batch", "{\"kind\":\"embed\",\"model\":\"nobody-serves-this\",\"items\":[\"a\"]}", token, 202);
        Users users = new Users(cp.db(), Clock.systemUTC());
        String other = users.token(users.ensure("other@example.org"), Duration.ofDays(1));
        call("GET", "/api/v1/jobs/batch/" + sub.get("job_id").asText() + "/status", null, other, 404);
        JsonNode cancelled = call("POST", "/api/v1/jobs/batch/" + sub.get("job_id").asText() + "/cancel", null, token, 200);
        assertEquals("cancelled", cancelled.get("status").asText());
        assertNotEquals(0, cancelled.get("chunks").get("failed").asInt());
    }
}
