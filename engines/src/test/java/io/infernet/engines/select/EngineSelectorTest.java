package io.infernet.engines.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.Engine;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.ollama.OllamaEngine;
import io.infernet.engines.ollama.OllamaOptions;
import io.infernet.engines.openai.OpenAiEngine;
import io.infernet.engines.remote.LoopbackServer;
import io.infernet.engines.remote.LoopbackServer.Reply;
import io.infernet.engines.remote.RemoteOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Engine selection against loopback servers that answer like vLLM, llama-server and Ollama. */
class EngineSelectorTest {

    private static final String VLLM_MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"Qwen/Qwen2.5-7B-Instruct\",\"object\":\"model\",\"owned_by\":\"vllm\",\"max_model_len\":32768}]}";
    private static final String LLAMA_MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"tiny.gguf\",\"object\":\"model\",\"owned_by\":\"llamacpp\"}]}";
    private static final String OLLAMA_TAGS = "{\"models\":[{\"name\":\"llama3.2:3b\",\"model\":\"llama3.2:3b\",\"size\":2019393189}]}";
    private static final OllamaOptions OLLAMA = new OllamaOptions(8192, 4, null);

    /** The in-process engine as the caller would supply it; counts how often it is made. */
    private static final class InProcessDouble implements Engine, Supplier<Engine> {
        final AtomicInteger made = new AtomicInteger();

        @Override
        public Engine get() {
            made.incrementAndGet();
            return this;
        }

        @Override
        public String kind() {
            return "in-process";
        }

        @Override
        public Generation generate(GenerationRequest request, GenerationListener listener) {
            throw new UnsupportedOperationException("not generating in a selection test");
        }

        @Override
        public io.infernet.engines.Embeddings embed(String model, List<String> inputs) {
            return new io.infernet.engines.Embeddings(List.of(), 0);
        }

        @Override
        public List<ModelInfo> models() {
            return List.of(new ModelInfo("demo", "in-process", 2048, false));
        }

        @Override
        public Health health() {
            return Health.up("in process", Duration.ZERO);
        }

        @Override
        public void close() {}
    }

    private static LoopbackServer answering(String body) throws IOException {
        return new LoopbackServer(req -> Reply.json(200, body));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> env(Integer vllm, Integer llama, Integer ollama) {
        Map<String, String> env = new HashMap<>();
        env.put("VLLM_HOST", "http://127.0.0.1:" + vllm);
        env.put("LLAMACPP_HOST", "127.0.0.1:" + llama);
        env.put("OLLAMA_HOST", "127.0.0.1:" + ollama);
        return env;
    }

    private static EngineSelector selector(Map<String, String> env, Set<Integer> own) {
        return new EngineSelector(env, own, RemoteOptions.DEFAULTS, OLLAMA);
    }

    @Test
    void candidatesComeFromTheEnvironmentOrTheDefaultPorts() {
        EngineSelector s = selector(Map.of("VLLM_HOST", "gpu-box:9000", "OLLAMA_HOST", "0.0.0.0", "VLLM_API_KEY", "k"), Set.of());
        List<Candidate> c = s.candidates(EngineSetting.auto());
        assertEquals(List.of("http://gpu-box:9000", "http://127.0.0.1:8080", "http://127.0.0.1:11434"), c.stream().map(Candidate::url).toList());
        assertEquals(List.of("VLLM_HOST", "default port", "OLLAMA_HOST"), c.stream().map(Candidate::source).toList());
        assertEquals("k", c.getFirst().endpoint().apiKey(), "vLLM's own VLLM_API_KEY is the client's key too");

        Candidate bad = selector(Map.of("VLLM_HOST", "ftp://x:1"), Set.of()).candidates(EngineSetting.auto()).getFirst();
        assertNull(bad.endpoint());
        assertTrue(bad.problem().startsWith("VLLM_HOST='ftp://x:1' is unusable"), bad.problem());
    }

    @Test
    void theFirstEngineUpWinsAndTheReportSaysWhatAnswered() throws Exception {
        try (LoopbackServer vllm = answering(VLLM_MODELS); LoopbackServer ollama = answering(OLLAMA_TAGS)) {
            InProcessDouble inProcess = new InProcessDouble();
            int llama = closedPort();
            Selection sel = selector(env(vllm.port(), llama, ollama.port()), Set.of()).select(EngineSetting.auto(), inProcess, "demo model");
            try (Engine e = sel.engine()) {
                assertInstanceOf(OpenAiEngine.class, e);
                assertEquals("vllm", e.kind());
                assertEquals(0, inProcess.made.get(), "the in-process engine is not made when another serves");
                SelectionReport r = sel.report();
                assertEquals(EngineKind.VLLM, r.chosen());
                assertEquals("http://127.0.0.1:" + vllm.port(), r.chosenUrl());
                assertEquals(List.of(ProbeOutcome.State.UP, ProbeOutcome.State.DOWN, ProbeOutcome.State.UP),
                        r.probes().stream().map(ProbeOutcome::state).toList());
                assertEquals("connection refused (is it running?)", r.probes().get(1).reason());
                assertEquals(List.of(new SelectionReport.Assignment("Qwen/Qwen2.5-7B-Instruct", EngineKind.VLLM, "http://127.0.0.1:" + vllm.port(), true),
                        new SelectionReport.Assignment("llama3.2:3b", EngineKind.OLLAMA, "http://127.0.0.1:" + ollama.port(), false)), r.assignments());
                assertEquals(List.of("Qwen/Qwen2.5-7B-Instruct"), r.servedModels());
                assertEquals("GET /v1/models", vllm.requests().getFirst().method() + " " + vllm.requests().getFirst().path());
                assertEquals("/api/tags", ollama.requests().getFirst().path());
            }
        }
    }

    @Test
    void ollamaServesWhenItIsTheOnlyOneUp() throws Exception {
        try (LoopbackServer ollama = answering(OLLAMA_TAGS)) {
            Selection sel = selector(env(closedPort(), closedPort(), ollama.port()), Set.of()).select(EngineSetting.auto(), new InProcessDouble(), "demo");
            try (Engine e = sel.engine()) {
                assertInstanceOf(OllamaEngine.class, e);
                assertEquals("the first engine up in the order vllm, llamacpp, ollama (vllm, llamacpp not up)", sel.report().why());
            }
        }
    }

    @Test
    void nothingUpMeansTheInProcessEngineLast() throws Exception {
        InProcessDouble inProcess = new InProcessDouble();
        Selection sel = selector(env(closedPort(), closedPort(), closedPort()), Set.of()).select(EngineSetting.auto(), inProcess, "demo model (random weights)");
        assertSame(inProcess, sel.engine());
        assertEquals(1, inProcess.made.get());
        assertEquals(EngineKind.IN_PROCESS, sel.report().chosen());
        assertNull(sel.report().chosenUrl());
        assertEquals(List.of(new SelectionReport.Assignment("demo", EngineKind.IN_PROCESS, null, true)), sel.report().assignments());
        assertEquals("demo model (random weights)", sel.report().inProcess());
    }

    @Test
    void ourOwnPortIsNeverProbedNorSelected() throws Exception {
        try (LoopbackServer self = answering(LLAMA_MODELS)) {
            InProcessDouble inProcess = new InProcessDouble();
            EngineSelector s = selector(env(closedPort(), self.port(), closedPort()), Set.of(self.port()));
            Selection sel = s.select(EngineSetting.auto(), inProcess, "demo");
            assertSame(inProcess, sel.engine());
            ProbeOutcome p = sel.report().probes().get(1);
            assertEquals(ProbeOutcome.State.EXCLUDED, p.state());
            assertTrue(p.reason().startsWith("port " + self.port() + " is this node's own API port"), p.reason());
            assertTrue(self.requests().isEmpty(), "not even asked");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.select(EngineSetting.parse("llamacpp", "127.0.0.1:" + self.port(), null, null), inProcess, "demo"));
            assertTrue(e.getMessage().contains("this node's own API port"), e.getMessage());
        }
    }

    @Test
    void anotherInfernetNodeIsRecognizedByItsInProcessModels() throws Exception {
        try (LoopbackServer node = answering("{\"object\":\"list\",\"data\":[{\"id\":\"demo\",\"object\":\"model\",\"owned_by\":\"in-process\"}]}")) {
            ProbeOutcome p = selector(env(closedPort(), node.port(), closedPort()), Set.of()).survey(EngineSetting.auto(), "demo").probes().get(1);
            assertEquals(ProbeOutcome.State.EXCLUDED, p.state());
            assertEquals("an Infernet node answers there (owned_by in-process), not a llamacpp server", p.reason());
        }
    }

    @Test
    void anExplicitSettingWinsEvenOverAnEngineThatIsUp() throws Exception {
        try (LoopbackServer vllm = answering(VLLM_MODELS)) {
            int ollamaPort = closedPort();
            InProcessDouble inProcess = new InProcessDouble();
            EngineSelector s = selector(env(vllm.port(), closedPort(), ollamaPort), Set.of());
            Selection sel = s.select(EngineSetting.parse("ollama", null, null, null), inProcess, "demo");
            try (Engine e = sel.engine()) {
                assertEquals("ollama", e.kind());
                assertEquals(1, sel.report().probes().size(), "only the explicit engine is probed");
                assertTrue(vllm.requests().isEmpty());
                assertTrue(sel.report().why().startsWith("explicitly set (engine = ollama); its probe says connection refused"), sel.report().why());
            }
            Selection local = s.select(EngineSetting.parse("in-process", null, null, null), inProcess, "demo");
            assertSame(inProcess, local.engine());
            assertTrue(local.report().probes().isEmpty());
        }
    }

    @Test
    void aLlamaServerOnVllmsPortIsServedAsALlamaServer() throws Exception {
        try (LoopbackServer llama = answering(LLAMA_MODELS)) {
            Selection sel = selector(env(llama.port(), closedPort(), closedPort()), Set.of()).select(EngineSetting.auto(), new InProcessDouble(), "demo");
            try (Engine e = sel.engine()) {
                assertEquals("llamacpp", e.kind());
                assertEquals(EngineKind.LLAMACPP, sel.report().chosen());
                assertTrue(sel.report().probes().getFirst().reason().contains("answers as a llamacpp server"));
            }
        }
    }

    @Test
    void somethingElseOnThePortIsDownWithAReason() throws Exception {
        try (LoopbackServer web = new LoopbackServer(req -> Reply.json(200, "<html>hello</html>"))) {
            ProbeOutcome p = selector(env(web.port(), closedPort(), closedPort()), Set.of()).survey(EngineSetting.auto(), "demo").probes().getFirst();
            assertEquals(ProbeOutcome.State.DOWN, p.state());
            assertTrue(p.reason().startsWith("something answers /v1/models but not as a vllm server would"), p.reason());
        }
    }

    @Test
    void aServerThatNeverAnswersIsDownAfterTheBudget() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (LoopbackServer hung = new LoopbackServer(req -> {
            try {
                never.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.json(500, "");
        })) {
            ProbeOutcome p = selector(env(hung.port(), closedPort(), closedPort()), Set.of()).survey(EngineSetting.auto(), "demo").probes().getFirst();
            assertEquals(ProbeOutcome.State.DOWN, p.state());
            assertEquals("no answer within 500 ms", p.reason());
        } finally {
            never.countDown();
        }
    }

    /**
     * Each server answers only once all three have been asked: probed one after another, the
     * first would wait for the others past its budget and be down.
     */
    @Test
    void probesRunInParallel() throws Exception {
        CountDownLatch allAsked = new CountDownLatch(3);
        java.util.function.Function<String, java.util.function.Function<LoopbackServer.Request, Reply>> waitForAll = body -> req -> {
            allAsked.countDown();
            try {
                allAsked.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.json(200, body);
        };
        try (LoopbackServer v = new LoopbackServer(waitForAll.apply(VLLM_MODELS));
             LoopbackServer l = new LoopbackServer(waitForAll.apply(LLAMA_MODELS));
             LoopbackServer o = new LoopbackServer(waitForAll.apply(OLLAMA_TAGS))) {
            EngineSelector s = new EngineSelector(env(v.port(), l.port(), o.port()), Set.of(),
                    new RemoteOptions(Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(3)), OLLAMA);
            SelectionReport r = s.survey(EngineSetting.auto(), "demo");
            assertEquals(List.of(true, true, true), r.probes().stream().map(ProbeOutcome::up).toList(), r.probes().toString());
        }
    }

    @Test
    void settingsAreCheckedAndNeverShowTheKey() {
        assertThrows(IllegalArgumentException.class, () -> EngineSetting.parse("in-process", "http://x:1", null, null));
        assertThrows(IllegalArgumentException.class, () -> EngineSetting.parse("auto", "http://x:1", null, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSetting.parse("tgi", null, null, null));
        assertTrue(e.getMessage().contains("choose in-process, vllm, llamacpp, ollama or auto"), e.getMessage());
        assertEquals(EngineKind.LLAMACPP, EngineSetting.parse("llama.cpp", null, null, null).kind());
        assertTrue(EngineSetting.parse(" ", null, null, null).isAuto());
        assertTrue(EngineSetting.parse("vllm", null, "sk-secret", null).toString().contains("(with API key)"));
        assertTrue(!EngineSetting.parse("vllm", null, "sk-secret", null).toString().contains("sk-secret"));
    }
}
