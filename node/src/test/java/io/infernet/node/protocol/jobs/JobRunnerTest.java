package io.infernet.node.protocol.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.EngineException;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.PolledJob;
import io.infernet.node.protocol.outbox.Delivery;
import io.infernet.node.protocol.outbox.DeliveryService;
import io.infernet.node.protocol.testing.FakeEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jobs against the fake engine with an in-memory deliverer. */
class JobRunnerTest {

    private final List<Delivery> sent = new ArrayList<>();
    private final FakeEngine engine = new FakeEngine("qwen-0.5b", "llama-1b");
    private final BenchWindow bench = new BenchWindow(Duration.ofHours(1), 20);

    private synchronized DeliveryService.Outcome record(Delivery d) {
        sent.add(d);
        return DeliveryService.Outcome.SENT;
    }

    private synchronized List<Delivery> sent(String jobId) {
        return sent.stream().filter(d -> d.key().equals("job:" + jobId)).toList();
    }

    private JobRunner runner(int cap, BatchPolicy policy) {
        return new JobRunner(engine, this::record, new ProviderInfo("provider-0badc0de", "box"), cap, bench, policy, Clock.systemUTC());
    }

    static PolledJob chat(String id, String model, String spec) throws Exception {
        return new PolledJob(id, "t", "chat", "assigned", null, "USDC", model, Json.MAPPER.readTree(spec), "2025-01-01T00:00:00Z");
    }

    /** Runs the chat job {@code id} alone on a runner of one slot until it is idle; the events sent for it. */
    private List<JsonNode> runAlone(String id, String spec) throws Exception {
        JobRunner r = runner(1, BatchPolicy.DEFAULT);
        r.offer(chat(id, null, spec));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        return events(sent(id));
    }

    private static List<JsonNode> events(List<Delivery> ds) {
        List<JsonNode> out = new ArrayList<>();
        ds.stream().filter(d -> d.route().endsWith("/events")).forEach(d -> d.body().get("events").forEach(out::add));
        return out;
    }

    @Test
    void chatJobStreamsMetaTokensDoneThenCompletes() throws Exception {
        JobRunner r = runner(2, BatchPolicy.DEFAULT);
        assertEquals(JobRunner.Offer.STARTED, r.offer(chat("j1", null,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16,\"temperature\":0.2}")));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        List<Delivery> ds = sent("j1");
        List<JsonNode> evs = events(ds);
        assertEquals(List.of("meta", "token", "done"), evs.stream().map(e -> e.get("event_type").asText()).toList(),
                "one flush: its four tokens merged into one event (IPIP-0024)");
        assertEquals("Hello, world!", evs.get(1).at("/data/text").asText());
        JsonNode meta = evs.getFirst().get("data");
        assertEquals("provider-0badc0de", meta.get("provider_node_id").asText());
        assertEquals("box", meta.get("provider_name").asText());
        assertEquals("qwen-0.5b", meta.get("model").asText());
        assertEquals("fake", meta.get("engine").asText());
        assertTrue(meta.get("started_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        JsonNode done = evs.getLast().get("data");
        assertEquals("Hello, world!", done.get("text").asText());
        assertEquals("stop", done.get("reason").asText());
        Delivery complete = ds.getLast();
        assertEquals("jobs/j1/complete", complete.route());
        ObjectNode result = (ObjectNode) complete.body().get("result");
        assertEquals("completed", complete.body().get("status").asText());
        assertEquals("chat", result.get("type").asText());
        assertEquals("Hello, world!", result.get("text").asText());
        assertEquals(4, result.get("token_count").asInt());
        assertTrue(result.get("duration_ms").asLong() >= 0);
        assertEquals("provider-0badc0de", result.get("completed_by").asText());
        var req = engine.requests().getFirst();
        assertNull(req.model(), "null model_name means the engine's default");
        assertEquals(16, req.maxTokens());
        assertEquals(0.2f, req.sampling().temperature());
        assertEquals("hi", req.messages().getFirst().content());
        assertEquals(1, bench.snapshot(Instant.now()).samples());
    }

    @Test
    void duplicatesAreNeverRunTwiceAndTheCapIsRespected() throws Exception {
        engine.hold = true;
        JobRunner r = runner(2, BatchPolicy.DEFAULT);
        String spec = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals(JobRunner.Offer.STARTED, r.offer(chat("a", null, spec)));
        assertEquals(JobRunner.Offer.DUPLICATE, r.offer(chat("a", null, spec)));
        assertEquals(JobRunner.Offer.STARTED, r.offer(chat("b", null, spec)));
        assertEquals(JobRunner.Offer.AT_CAPACITY, r.offer(chat("c", null, spec)));
        assertEquals(2, r.activeJobs());
        r.cancelAll("test");
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(JobRunner.Offer.DUPLICATE, r.offer(chat("a", null, spec)), "finished ids are remembered");
        engine.hold = false;
        assertEquals(JobRunner.Offer.STARTED, r.offer(chat("c", null, spec)));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(3, r.jobsStarted());
        assertEquals(3, engine.requests().size());
        r.rememberFinished(List.of("z"));
        assertEquals(JobRunner.Offer.DUPLICATE, r.offer(chat("z", null, spec)));
    }

    @Test
    void cancelEndsWithDoneCancelAndAFailedCompletion() throws Exception {
        engine.hold = true;
        JobRunner r = runner(1, BatchPolicy.DEFAULT);
        r.offer(chat("k", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("the engine got the job").until(() -> engine.requests().size() == 1);
        r.cancelAll("node shutting down");
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        List<JsonNode> evs = events(sent("k"));
        assertEquals("done", evs.getLast().get("event_type").asText());
        assertEquals("cancel", evs.getLast().at("/data/reason").asText());
        Delivery c = sent("k").getLast();
        assertEquals("failed", c.body().get("status").asText());
        assertEquals("cancelled: node shutting down", c.body().get("error").asText());
        assertEquals(0, bench.snapshot(Instant.now()).samples(), "cancelled jobs do not count as throughput");
    }

    @Test
    void engineErrorsBecomeAnErrorEventAndAFailedCompletion() throws Exception {
        engine.failWith = "out of memory while decoding";
        List<JsonNode> evs = runAlone("e", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals("error", evs.getLast().get("event_type").asText());
        assertEquals("out of memory while decoding", evs.getLast().at("/data/message").asText());
        assertEquals("failed", sent("e").getLast().body().get("status").asText());
        assertEquals("out of memory while decoding", sent("e").getLast().body().get("error").asText());
    }

    /**
     * The roles and content the gateways accept reach the engine: the reference's gateway
     * (apps/web/app/v1/chat/completions/route.js) takes any string role with string content;
     * this project's also takes developer and text parts.
     */
    @Test
    void chatJobsTakeTheRolesAndContentPartsTheGatewaysAccept() throws Exception {
        JobRunner r = runner(2, BatchPolicy.DEFAULT);
        r.offer(chat("roles", null, """
                {"messages":[{"role":"developer","content":"be brief"},
                  {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                  {"role":"assistant","content":"ok"},{"role":"ipython","content":"42"},{"role":"user","content":"go"}]}"""));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("completed", sent("roles").getLast().body().get("status").asText());
        var msgs = engine.requests().getLast().messages();
        assertEquals(List.of("system", "user", "assistant", "ipython", "user"), msgs.stream().map(m -> m.role()).toList());
        assertEquals(List.of("be brief", "a\nb", "ok", "42", "go"), msgs.stream().map(m -> m.content()).toList());
    }

    @Test
    void refusalsUnknownModelsBadInputAndOtherTypesFailHonestly() throws Exception {
        JobRunner r = runner(4, BatchPolicy.DEFAULT);
        r.offer(chat("m", "gpt-9", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        r.offer(chat("i", null, "{\"messages\":[]}"));
        r.offer(new PolledJob("t", "t", "training", "assigned", null, null, null, Json.object(), null));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("model 'gpt-9' is not served here", sent("m").getLast().body().get("error").asText());
        assertEquals("invalid input_spec: messages must hold at least one message.", sent("i").getLast().body().get("error").asText());
        // A type this node does not run fails (the reference's node completes it with a stub result,
        // apps/cli/commands/start.js processJob, and so is paid the offer for work not done).
        assertEquals("failed", sent("t").getLast().body().get("status").asText());
        assertEquals("unsupported job type: training", sent("t").getLast().body().get("error").asText());
        assertEquals("error", events(sent("t")).getFirst().get("event_type").asText());
        engine.refuseWith = new EngineException(EngineException.Kind.OVERLOADED, "queue full");
        r.offer(chat("o", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("queue full", sent("o").getLast().body().get("error").asText());
    }

    @Test
    void aResponseFormatAndToolsInTheInputReachTheEngineAndChoicesOrLogprobsAreRefused() throws Exception {
        JobRunner r = runner(4, BatchPolicy.DEFAULT);
        r.offer(chat("f", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}}"));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals(new DecodingOptions.JsonSchema("a", "{\"type\":\"object\"}", false), engine.requests().getLast().decoding().format());
        r.offer(chat("t", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_object\"},"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"add\"}}],\"tool_choice\":\"required\"}"));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        var both = engine.requests().getLast();
        assertEquals(new DecodingOptions.JsonObject(), both.decoding().format(), "the format and the tools reach the engine together");
        assertEquals("add", both.chat().tools().getFirst().name());
        assertEquals(io.infernet.engines.ChatOptions.ToolChoice.REQUIRED, both.chat().toolChoice());
        r.offer(chat("n", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}"));
        r.offer(chat("p", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true}"));
        r.offer(chat("x", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"xml\"}}"));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        assertEquals("invalid input_spec: n must be 1: a job's result is one text", sent("n").getLast().body().get("error").asText());
        assertEquals("invalid input_spec: logprobs are not carried by job results; leave logprobs out", sent("p").getLast().body().get("error").asText());
        assertTrue(sent("x").getLast().body().get("error").asText().contains("response_format.type"), sent("x").getLast().body().toString());
    }

    @Test
    void maxTokensCutsWithReasonLength() throws Exception {
        List<JsonNode> evs = runAlone("l", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}");
        assertEquals("length", evs.getLast().at("/data/reason").asText());
        assertEquals("Hello,", evs.getLast().at("/data/text").asText());
        assertEquals(2, sent("l").getLast().body().at("/result/token_count").asInt());
    }

    @Test
    void manyTokensAreBatchedBySizeAndTime() throws Exception {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("t" + i);
        }
        engine.tokens = many;
        JobRunner r = runner(1, new BatchPolicy(16, Duration.ofSeconds(10), 200));
        r.offer(chat("b", null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":100}"));
        assertTrue(r.awaitIdle(Duration.ofSeconds(5)));
        List<Integer> sizes = sent("b").stream().filter(d -> d.route().endsWith("/events")).map(d -> d.body().get("events").size()).toList();
        assertEquals(List.of(2, 1, 2), sizes, "flushes at 16 buffered (meta + 15 tokens, 16 tokens), the rest with done; tokens merged per flush");
        String text = events(sent("b")).stream().filter(e -> e.get("event_type").asText().equals("token"))
                .map(e -> e.at("/data/text").asText()).collect(java.util.stream.Collectors.joining());
        assertEquals(String.join("", many), text);
    }
}
