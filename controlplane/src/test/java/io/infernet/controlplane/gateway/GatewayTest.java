package io.infernet.controlplane.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.controlplane.db.Rows;
import io.infernet.engines.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The gateway on a real PostgreSQL, with providers driven by hand: routing by model, streamed
 * and whole answers with the provider's finish reason and usage, the queue and its timeout,
 * reassignment of a job whose provider went stale before its first token.
 */
class GatewayTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpRequest chat(String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}";
        return HttpRequest.newBuilder(URI.create(cp.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Polls until {@code node} has a job; its id. */
    static String awaitJob(TestNode node) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            JsonNode p = node.client.call("jobs/poll", Json.object().put("limit", 5).put("wait_ms", 2000));
            if (!p.get("jobs").isEmpty()) {
                return p.get("jobs").get(0).get("id").asText();
            }
        }
        throw new AssertionError("no job reached " + node.name + " within 10 s");
    }

    static void serve(TestNode node, String job, String model, String... tokens) {
        node.events(job, TestNode.meta(model));
        StringBuilder all = new StringBuilder();
        for (String t : tokens) {
            node.events(job, TestNode.token(t));
            all.append(t);
        }
        var done = TestNode.done(all.toString(), "length");
        ((com.fasterxml.jackson.databind.node.ObjectNode) done.get("data")).putObject("usage").put("prompt_tokens", 7).put("completion_tokens", tokens.length);
        node.events(job, done);
        node.complete(job, all.toString(), tokens.length);
    }

    @Test
    void aWholeAnswerCarriesTheProvidersFinishReasonAndUsage() throws Exception {
        TestNode a = new TestNode(cp.baseUrl(), "whole").online("gw-whole");
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-whole", false), HttpResponse.BodyHandlers.ofString());
        String job = awaitJob(a);
        serve(a, job, "gw-whole", "Hel", "lo");
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(job, r.headers().firstValue(ChatGateway.JOB_HEADER).orElseThrow());
        JsonNode body = Json.parse(r.body().getBytes());
        assertEquals("Hello", body.get("choices").get(0).get("message").get("content").asText());
        assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
        assertEquals(7, body.get("usage").get("prompt_tokens").asInt());
        assertEquals(2, body.get("usage").get("completion_tokens").asInt());
        assertEquals(9, body.get("usage").get("total_tokens").asInt());
    }

    @Test
    void aStreamedAnswerIsOpenAiSse() throws Exception {
        TestNode a = new TestNode(cp.baseUrl(), "stream").online("gw-stream");
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-stream", true), HttpResponse.BodyHandlers.ofString());
        String job = awaitJob(a);
        serve(a, job, "gw-stream", "a", "b", "c");
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                chunks.add(Json.parse(line.substring(6).getBytes()));
            }
        }
        assertTrue(r.body().trim().endsWith("data: [DONE]"));
        assertEquals("assistant", chunks.getFirst().get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode c : chunks) {
            for (JsonNode ch : c.get("choices")) {
                text.append(ch.path("delta").path("content").asText(""));
                if (!ch.path("finish_reason").isNull()) {
                    finish = ch.get("finish_reason").asText();
                }
            }
        }
        assertEquals("abc", text.toString());
        assertEquals("length", finish);
        assertEquals(3, chunks.getLast().get("usage").get("completion_tokens").asInt());
    }

    @Test
    void withNoFreeProviderTheRequestWaitsInTheQueueThenGets503() throws Exception {
        TestNode busy = new TestNode(cp.baseUrl(), "busy");
        busy.register();
        busy.heartbeat(1, 1, "gw-busy");
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(chat("gw-busy", false), HttpResponse.BodyHandlers.ofString());
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(waited >= 1_900, "answered after " + waited + " ms, before the 2 s queue timeout");
        assertTrue(r.body().contains("was free within 2 s"), r.body());
        assertEquals("5", r.headers().firstValue("retry-after").orElse(""));

        // freed before the timeout: the queued request is served
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-busy", false), HttpResponse.BodyHandlers.ofString());
        busy.heartbeat(1, 0, "gw-busy");
        String job = awaitJob(busy);
        serve(busy, job, "gw-busy", "ok");
        assertEquals(200, f.get().statusCode());
    }

    @Test
    void aJobWhoseProviderGoesStaleBeforeItsFirstTokenMovesToAnother() throws Exception {
        TestNode dying = new TestNode(cp.baseUrl(), "dying").online("gw-re");
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-re", false), HttpResponse.BodyHandlers.ofString());
        String job = awaitJob(dying);
        dying.events(job, TestNode.meta("gw-re")); // started, then silence: no heartbeat, no token
        TestNode healthy = new TestNode(cp.baseUrl(), "healthy").online("gw-re");
        String again = awaitJob(healthy);
        assertEquals(job, again);
        serve(healthy, job, "gw-re", "moved");
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("moved", Json.parse(r.body().getBytes()).get("choices").get(0).get("message").get("content").asText());
        JsonNode row = cp.db().read(c -> Rows.one(c, "select attempts, excluded_providers from jobs where id = ?", UUID.fromString(job))).orElseThrow();
        assertEquals(2, row.get("attempts").asInt());
        assertEquals(1, row.get("excluded_providers").size());
    }

    @Test
    void aJobWhoseProviderGoesStaleBetweenItsDoneEventAndItsCompletionIsCompletedFromTheEvent() throws Exception {
        TestNode dying = new TestNode(cp.baseUrl(), "answered").online("gw-done");
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-done", false), HttpResponse.BodyHandlers.ofString());
        String job = awaitJob(dying);
        var done = TestNode.done("all of it", "stop");
        ((com.fasterxml.jackson.databind.node.ObjectNode) done.get("data")).putObject("usage").put("prompt_tokens", 3).put("completion_tokens", 4);
        dying.events(job, TestNode.meta("gw-done"), TestNode.token("all of it"), done); // then gone: no completion, no heartbeat
        HttpResponse<String> r = f.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("all of it", Json.parse(r.body().getBytes()).get("choices").get(0).get("message").get("content").asText());
        JsonNode row = await().atMost(Duration.ofSeconds(30)).until(() -> cp.db().read(c -> Rows.one(c,
                "select status, result, finish_reason from jobs where id = ?", UUID.fromString(job))).orElseThrow(),
                j -> !j.get("status").asText().equals("assigned"));
        assertEquals("completed", row.get("status").asText(), row.toString());
        assertEquals("all of it", row.get("result").get("text").asText());
        assertEquals(4, row.get("result").get("token_count").asInt());
        assertEquals("stop", row.get("finish_reason").asText());
        // The provider's completion, delivered late by its outbox, finds the job ended and changes nothing.
        assertEquals("completed", dying.complete(job, "all of it", 4).get("status").asText());
    }

    @Test
    void aJobWhoseProviderGoesStaleBetweenItsErrorEventAndItsCompletionFails() throws Exception {
        TestNode dying = new TestNode(cp.baseUrl(), "erred").online("gw-error");
        CompletableFuture<HttpResponse<String>> f = HTTP.sendAsync(chat("gw-error", false), HttpResponse.BodyHandlers.ofString());
        String job = awaitJob(dying);
        dying.events(job, TestNode.meta("gw-error"), TestNode.event("error", Json.object().put("message", "the engine broke")));
        f.get();
        JsonNode row = await().atMost(Duration.ofSeconds(30)).until(() -> cp.db().read(c -> Rows.one(c,
                "select status, error from jobs where id = ?", UUID.fromString(job))).orElseThrow(),
                j -> !j.get("status").asText().equals("assigned"));
        assertEquals("failed", row.get("status").asText(), row.toString());
        assertEquals("the engine broke", row.get("error").asText());
    }

    @Test
    void modelsListsWhatLiveProvidersServe() throws Exception {
        new TestNode(cp.baseUrl(), "lister").online("gw-listed-b", "gw-listed-a");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cp.baseUrl() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode data = Json.parse(r.body().getBytes()).get("data");
        List<String> ids = new ArrayList<>();
        data.forEach(m -> ids.add(m.get("id").asText()));
        assertTrue(ids.contains("gw-listed-a") && ids.contains("gw-listed-b"), ids.toString());
        assertEquals("model", data.get(0).get("object").asText());
    }

    @Test
    void badRequestsGetOpenAiErrors() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cp.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertEquals("messages[] is required", Json.parse(r.body().getBytes()).get("error").get("message").asText());
    }
}
