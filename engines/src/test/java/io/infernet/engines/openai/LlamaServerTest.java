package io.infernet.engines.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.ChatMessage;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.EventLog;
import io.infernet.engines.remote.HttpProbe;
import io.infernet.engines.Json;
import io.infernet.engines.vllm.ChildProcess;
import io.infernet.kernels.SamplingParams;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible client against a real llama-server of the pinned llama.cpp (the wire
 * vLLM speaks too), built from source once (minutes the first time, then cached) and run on
 * loopback with a generated tiny model (random weights) on one thread. Skipped only where
 * the build tools are missing.
 */
@Tag("llama-server")
@Tag("native")
@Tag("slow")
class LlamaServerTest {

    /** End of generation in the llama-spm vocabulary of the generated model; banned so that generations run to max_tokens. */
    private static final int EOS = 2;
    private static final SamplingParams GREEDY_NO_EOS = SamplingParams.greedy().withLogitBias(Map.of(EOS, Float.NEGATIVE_INFINITY));

    private static Path server;
    private static Path model;
    private static Running main;

    /** A llama-server this test started, with its log. */
    private record Running(ChildProcess process, Endpoint endpoint, List<String> log) implements AutoCloseable {
        @Override
        public void close() {
            process.stop(Duration.ofSeconds(5));
        }
    }

    @BeforeAll
    static void buildAndStart() throws Exception {
        Optional<String> missing = SourceBuild.missingTools(SourceBuild.Backend.CPU_NATIVE);
        Assumptions.assumeTrue(missing.isEmpty(), () -> "llama-server cannot be built here: " + missing.orElseThrow());
        server = SourceBuild.tool(SourceBuild.Backend.CPU_NATIVE, "llama-server", Progress.STDERR);
        model = DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
        main = start();
    }

    @AfterAll
    static void stop() {
        if (main != null) {
            main.close();
        }
    }

    private static Running start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> log = new CopyOnWriteArrayList<>();
        // one thread: ggml with two on this busy 2-core machine degrades badly
        ChildProcess p = ChildProcess.start("llama-server", List.of(server.toString(), "-m", model.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "-t", "1", "-tb", "1", "-c", "2048", "-np", "2", "-a", "tiny"), System.getenv(), List.of(), log::add);
        Endpoint endpoint = Endpoint.parse("127.0.0.1:" + port, port, null);
        p.awaitHttp(endpoint, "/v1/models", Duration.ofSeconds(60), Duration.ofSeconds(10), line -> {});
        return new Running(p, endpoint, log);
    }

    private static OpenAiEngine client(Running r) {
        return new OpenAiEngine(OpenAiDialect.LLAMACPP, r.endpoint());
    }

    private static GenerationRequest chat(int maxTokens) {
        return GenerationRequest.chat("tiny", List.of(new ChatMessage("user", "Tell me a story about a lighthouse.")), GREEDY_NO_EOS, maxTokens);
    }

    @Test
    void modelsAndHealth() {
        try (OpenAiEngine e = client(main)) {
            assertEquals(List.of(new ModelInfo("tiny", "llamacpp", 1024, false)), e.models(), "1024 = 2048 tokens over 2 slots");
            Health h = e.health();
            assertTrue(h.up(), h.detail());
            assertEquals("llama.cpp server at " + main.endpoint().base() + " serves tiny", h.detail());
        }
    }

    @Test
    void streamingAndNonStreamingAgree() throws Exception {
        try (OpenAiEngine e = client(main)) {
            EventLog log = new EventLog();
            GenerationEvent.Done streamed = log.run(e, chat(24), GenerationEvent.Done.class);
            assertEquals(FinishReason.LENGTH, streamed.reason());
            assertEquals(24, streamed.usage().completionTokens(), "the server's own count, from the stream's usage chunk");
            assertTrue(streamed.usage().promptTokens() > 5, streamed.usage().toString());
            assertEquals(streamed.text(), log.tokenText());
            assertFalse(streamed.text().isEmpty());

            GenerationEvent.Done whole = assertInstanceOf(GenerationEvent.Done.class, e.complete(chat(24)));
            assertEquals(streamed.text(), whole.text(), "greedy: the same text either way");
            assertEquals(streamed.reason(), whole.reason());
            assertEquals(streamed.usage().promptTokens(), whole.usage().promptTokens());
            assertEquals(streamed.usage().completionTokens(), whole.usage().completionTokens());
            // The same prompt twice: llama-server serves the second from its prompt cache and says how much.
            assertTrue(whole.usage().cachedTokens() > 0 && whole.usage().cachedTokens() < whole.usage().promptTokens(), whole.usage().toString());
        }
    }

    @Test
    void decodingOptionsReachTheServer() throws Exception {
        try (OpenAiEngine e = client(main)) {
            String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"},\"s\":{\"type\":\"string\",\"maxLength\":5}},"
                    + "\"required\":[\"n\",\"s\"],\"additionalProperties\":false}";
            GenerationRequest r = GenerationRequest.chat("tiny", List.of(new ChatMessage("user", "Give me JSON.")),
                    SamplingParams.defaults().withSeed(3), 120).withDecoding(DecodingOptions.DEFAULT
                    .withFormat(new DecodingOptions.JsonSchema("thing", schema, true)).withLogprobs(true, 2).withN(2));
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e, r, GenerationEvent.Done.class);
            assertEquals(2, d.choices().size(), "two choices (the server has two slots)");
            for (GenerationEvent.Choice c : d.choices()) {
                var doc = Json.MAPPER.readTree(c.text());
                assertTrue(doc.get("n").isIntegralNumber() && doc.get("s").isTextual(), c.text());
            }
            List<GenerationEvent.Token> withLogprobs = log.events().stream().filter(ev -> ev instanceof GenerationEvent.Token t && t.logprob() != null)
                    .map(ev -> (GenerationEvent.Token) ev).toList();
            assertFalse(withLogprobs.isEmpty(), "the stream carries log-probabilities");
            assertTrue(withLogprobs.stream().allMatch(t -> t.logprob().top().size() == 2 && t.logprob().logprob() <= 0));
        }
    }

    @Test
    void rawPromptsAndStopStrings() throws Exception {
        try (OpenAiEngine e = client(main)) {
            GenerationRequest raw = GenerationRequest.completion("tiny", "Once upon a time", GREEDY_NO_EOS, 32);
            EventLog log = new EventLog();
            GenerationEvent.Done full = log.run(e, raw, GenerationEvent.Done.class);
            assertEquals(FinishReason.LENGTH, full.reason());
            assertEquals(32, full.usage().completionTokens());

            // a piece of the greedy output as a stop string: the same generation stops just before it
            String text = full.text();
            String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
            int cut = text.indexOf(stop);
            EventLog stopped = new EventLog();
            GenerationEvent.Done d = stopped.run(e, raw.withStop(List.of(stop)), GenerationEvent.Done.class);
            assertEquals(FinishReason.STOP, d.reason());
            assertEquals(text.substring(0, cut), d.text());
        }
    }

    @Test
    void cancelMidStreamStopsTheServersWorkAndItServesTheNext() throws Exception {
        try (OpenAiEngine e = client(main)) {
            CountDownLatch firstToken = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            EventLog log = new EventLog();
            int linesBefore = main.log().size();
            Generation g = e.generate(chat(1000), ev -> {
                log.onEvent(ev);
                if (ev instanceof GenerationEvent.Token) {
                    firstToken.countDown();
                    await(cancelled); // hold the reader until the test has cancelled
                }
            });
            assertTrue(firstToken.await(60, TimeUnit.SECONDS));
            g.cancel();
            cancelled.countDown();
            GenerationEvent.Done d = assertInstanceOf(GenerationEvent.Done.class, log.awaitEnd(g));
            assertEquals(FinishReason.CANCEL, d.reason());
            assertEquals(log.tokenText(), d.text());

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("llama-server logs 'cancel task' once the connection dropped")
                    .until(() -> main.log().subList(linesBefore, main.log().size()).stream().anyMatch(l -> l.contains("cancel task")));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("no llama-server slot is busy").until(() -> {
                String slots = HttpProbe.get(main.endpoint(), "/slots", Duration.ofSeconds(2)).body();
                return slots.contains("\"is_processing\":false") && !slots.contains("\"is_processing\":true");
            });

            EventLog next = new EventLog();
            Generation g2 = e.generate(chat(8), next);
            assertEquals(FinishReason.LENGTH, assertInstanceOf(GenerationEvent.Done.class, next.awaitEnd(g2)).reason());
        }
    }

    @Test
    void aServerKilledMidStreamGivesAnErrorEventThenUnavailable() throws Exception {
        try (Running doomed = start(); OpenAiEngine e = client(doomed)) {
            CountDownLatch firstToken = new CountDownLatch(1);
            CountDownLatch killed = new CountDownLatch(1);
            EventLog log = new EventLog();
            Generation g = e.generate(chat(1000), ev -> {
                log.onEvent(ev);
                if (ev instanceof GenerationEvent.Token) {
                    firstToken.countDown();
                    await(killed);
                }
            });
            assertTrue(firstToken.await(60, TimeUnit.SECONDS));
            doomed.process().stop(Duration.ZERO);
            killed.countDown();
            GenerationEvent.Error err = assertInstanceOf(GenerationEvent.Error.class, log.awaitEnd(g));
            assertTrue(err.message().contains("llama.cpp server at " + doomed.endpoint().base()), err.message());

            assertFalse(e.health().up());
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(chat(8), new EventLog()));
            assertEquals(EngineException.Kind.UNAVAILABLE, ex.kind());
        }
    }

    @Test
    void refusalsOfARealServer() {
        try (OpenAiEngine e = client(main)) {
            GenerationRequest tooLong = GenerationRequest.completion("tiny", "hello ".repeat(1500), GREEDY_NO_EOS, 8);
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(tooLong, new EventLog()));
            assertEquals(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, ex.kind(), ex.getMessage());
            assertEquals("prompt", ex.param());

            ex = assertThrows(EngineException.class, () -> e.embed("tiny", List.of("a")));
            assertEquals(EngineException.Kind.UNSUPPORTED, ex.kind(), ex.getMessage());
            assertTrue(ex.getMessage().contains("--embeddings"), ex.getMessage());
        }
    }

    @Test
    void aServerThatIsNotUpIsAClearFailure() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (OpenAiEngine e = new OpenAiEngine(OpenAiDialect.LLAMACPP, Endpoint.parse("127.0.0.1:" + port, port, null))) {
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(chat(8), new EventLog()));
            assertEquals(EngineException.Kind.UNAVAILABLE, ex.kind());
            assertEquals("cannot reach the llama.cpp server at http://127.0.0.1:" + port + ": connection refused (is it running?)", ex.getMessage());
        }
    }

    @Test
    void everySamplingFieldIsAccepted() throws Exception {
        SamplingParams all = new SamplingParams(0.8f, 20, 0.9f, 0.05f, 1.1f, -1, 0.3f, 0.2f, Map.of(EOS, Float.NEGATIVE_INFINITY, 100, 1.5f),
                (1L << 40) + 7);
        try (OpenAiEngine e = client(main)) {
            EventLog log = new EventLog();
            assertEquals(FinishReason.LENGTH, log.run(e, GenerationRequest.chat("tiny", List.of(new ChatMessage("user", "hi")), all, 6),
                    GenerationEvent.Done.class).reason());
            var slots = Json.MAPPER.readTree(HttpProbe.get(main.endpoint(), "/slots", Duration.ofSeconds(2)).body());
            boolean seen = false;
            for (var slot : slots) {
                var p = slot.path("params");
                if (p.path("top_k").asInt() == 20) {
                    seen = true;
                    assertEquals(7, p.path("seed").asLong(), "the low 32 bits of the seed");
                    assertEquals(131072, p.path("repeat_last_n").asInt());
                    assertEquals(0.05, p.path("min_p").asDouble(), 1e-6);
                    assertEquals(1.1, p.path("repeat_penalty").asDouble(), 1e-6);
                }
            }
            assertTrue(seen, "the server reports the parameters it used: " + slots);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
