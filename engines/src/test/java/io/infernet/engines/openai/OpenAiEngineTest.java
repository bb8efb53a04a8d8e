package io.infernet.engines.openai;

import static io.infernet.engines.remote.EventLog.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.EngineException;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.EventLog;
import io.infernet.engines.Json;
import io.infernet.engines.remote.LoopbackServer;
import io.infernet.engines.remote.LoopbackServer.Reply;
import io.infernet.engines.remote.RemoteOptions;
import io.infernet.kernels.SamplingParams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible client against a loopback server replaying vLLM's and llama-server's wire. */
class OpenAiEngineTest {

    private static final String SSE = "text/event-stream";
    private static final GenerationRequest HELLO = GenerationRequest.chat("Qwen/Qwen2.5-0.5B-Instruct",
            List.of(new ChatMessage("user", "Hello")), SamplingParams.greedy(), 32);

    private static OpenAiEngine engine(LoopbackServer s, OpenAiDialect d) {
        return new OpenAiEngine(d, s.endpoint(), null, RemoteOptions.DEFAULTS);
    }

    /** Replies with vLLM's chat stream up to its first token (its first two events), then {@code then}. */
    private static Function<LoopbackServer.Request, Reply> firstTokenThen(LoopbackServer.Part... then) throws Exception {
        String firstTwo = String.join("\n", fixture("openai/vllm-chat-stream.sse").lines().limit(4).toList());
        return req -> {
            List<LoopbackServer.Part> parts = new ArrayList<>(LoopbackServer.lines(firstTwo, 0));
            parts.addAll(List.of(then));
            return Reply.stream(SSE, parts);
        };
    }

    private static Function<LoopbackServer.Request, Reply> streaming(String fixture, long pauseMillis) throws Exception {
        String text = fixture(fixture);
        return req -> Reply.stream(SSE, LoopbackServer.lines(text, pauseMillis));
    }

    @Test
    void chatStreamBecomesTokensAndDoneWithTheServersUsage() throws Exception {
        try (LoopbackServer s = new LoopbackServer(streaming("openai/vllm-chat-stream.sse", 0));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e, HELLO, GenerationEvent.Done.class);
            assertEquals(FinishReason.STOP, d.reason());
            assertEquals("Hello! How can I help?", d.text());
            assertEquals(d.text(), log.tokenText());
            assertEquals(7, log.tokens());
            assertEquals(new Usage(21, 7), d.usage());
            GenerationEvent.Meta meta = assertInstanceOf(GenerationEvent.Meta.class, log.events().getFirst());
            assertEquals("vllm", meta.engine());
            assertEquals("Qwen/Qwen2.5-0.5B-Instruct", meta.model());

            LoopbackServer.Request req = s.requests().getFirst();
            assertEquals("POST /v1/chat/completions", req.method() + " " + req.path());
            JsonNode body = Json.MAPPER.readTree(req.body());
            assertTrue(body.get("stream").asBoolean());
            assertTrue(body.at("/stream_options/include_usage").asBoolean());
            assertNull(req.header("Authorization"), "no key configured, no header");
        }
    }

    @Test
    void rawPromptEndsWithLength() throws Exception {
        try (LoopbackServer s = new LoopbackServer(streaming("openai/vllm-completion-length.sse", 0));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e,
                    GenerationRequest.completion("Qwen/Qwen2.5-0.5B-Instruct", "The capital of France:", SamplingParams.greedy(), 3),
                    GenerationEvent.Done.class);
            assertEquals(FinishReason.LENGTH, d.reason());
            assertEquals(" Paris is the", d.text());
            assertEquals(new Usage(6, 3), d.usage());
            assertEquals("/v1/completions", s.requests().getFirst().path());
        }
    }

    @Test
    void anErrorChunkMidStreamEndsInAnErrorEvent() throws Exception {
        try (LoopbackServer s = new LoopbackServer(streaming("openai/vllm-error-midstream.sse", 0));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, HELLO, GenerationEvent.Error.class);
            assertTrue(err.message().contains("EngineCore encountered an issue"), err.message());
            assertTrue(err.message().contains("vLLM server at http://127.0.0.1:" + s.port()), err.message());
            assertEquals("The", log.tokenText());
        }
    }

    @Test
    void aServerThatDiesMidStreamGivesAnErrorNamingIt() throws Exception {
        // The pause: a reset can discard data the client has not read yet.
        try (LoopbackServer s = new LoopbackServer(firstTokenThen(new LoopbackServer.Pause(200), new LoopbackServer.Cut()));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, HELLO, GenerationEvent.Error.class);
            assertTrue(err.message().contains("vLLM server at http://127.0.0.1:" + s.port()), err.message());
            assertTrue(err.message().contains("mid-stream") || err.message().contains("before the generation finished"), err.message());
            assertEquals("Hello", log.tokenText());
        }
    }

    @Test
    void aStreamThatEndsWithoutFinishingIsAnError() throws Exception {
        try (LoopbackServer s = new LoopbackServer(firstTokenThen());
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, HELLO, GenerationEvent.Error.class);
            assertTrue(err.message().contains("closed the stream before the generation finished (after 1 chunks)"), err.message());
        }
    }

    @Test
    void cancelMidStreamClosesTheConnectionAndEndsInDoneCancel() throws Exception {
        try (LoopbackServer s = new LoopbackServer(firstTokenThen(LoopbackServer.HoldOpen.sse()));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            Generation g = e.generate(HELLO, log);
            log.awaitFirstToken();
            g.cancel();
            g.cancel(); // idempotent
            GenerationEvent.Done d = assertInstanceOf(GenerationEvent.Done.class, log.awaitEnd(g));
            assertEquals(FinishReason.CANCEL, d.reason());
            assertEquals("Hello", d.text());
            assertTrue(s.disconnected().await(10, TimeUnit.SECONDS), "the server saw the client go away");
        }
    }

    @Test
    void aListenerThatThrowsCancelsTheGeneration() throws Exception {
        try (LoopbackServer s = new LoopbackServer(streaming("openai/vllm-chat-stream.sse", 0));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EventLog log = new EventLog();
            Generation g = e.generate(HELLO, ev -> {
                log.onEvent(ev);
                if (ev instanceof GenerationEvent.Token) {
                    throw new IllegalStateException("client went away");
                }
            });
            GenerationEvent.Done d = assertInstanceOf(GenerationEvent.Done.class, log.awaitEnd(g));
            assertEquals(FinishReason.CANCEL, d.reason());
            assertEquals(1, log.tokens());
        }
    }

    @Test
    void aSilentServerIsGivenUpAfterTheIdleTimeout() throws Exception {
        try (LoopbackServer s = new LoopbackServer(firstTokenThen(new LoopbackServer.Pause(20_000)));
             OpenAiEngine e = new OpenAiEngine(OpenAiDialect.VLLM, s.endpoint(), null,
                RemoteOptions.DEFAULTS.withIdleTimeout(Duration.ofMillis(300)))) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, HELLO, GenerationEvent.Error.class);
            assertTrue(err.message().contains("sent nothing for"), err.message());
        }
    }

    @Test
    void refusalsThrowTheRightKind() throws Exception {
        String vllmContext = fixture("openai/vllm-400-context.json");
        String llamaContext = fixture("openai/llamacpp-400-context.json");
        String noModel = fixture("openai/vllm-404-model.json");
        try (LoopbackServer s = new LoopbackServer(req -> switch (JsonModel.of(req)) {
            case "long" -> Reply.json(400, vllmContext);
            case "long-llama" -> Reply.json(400, llamaContext);
            case "gpt-4" -> Reply.json(404, noModel);
            case "busy" -> Reply.json(429, "{\"error\":{\"message\":\"too many requests\",\"type\":\"rate_limit\"}}").withHeader("Retry-After", "7");
            case "locked" -> Reply.json(401, "{\"error\":\"Unauthorized\"}");
            case "loading" -> Reply.json(503, "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
            case "bad" -> Reply.json(400, "{\"object\":\"error\",\"message\":\"temperature must be non-negative\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
            default -> Reply.json(500, "boom");
        }); OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("long"), new EventLog()));
            assertEquals(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, ex.kind());
            assertEquals("messages", ex.param());
            assertTrue(ex.getMessage().startsWith("This model's maximum context length is 2048 tokens"), ex.getMessage());

            assertEquals(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED,
                    assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("long-llama"), new EventLog())).kind());

            ex = assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("gpt-4"), new EventLog()));
            assertEquals(EngineException.Kind.MODEL_NOT_FOUND, ex.kind());
            assertEquals("model", ex.param());

            ex = assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("busy"), new EventLog()));
            assertEquals(EngineException.Kind.OVERLOADED, ex.kind());
            assertEquals(Duration.ofSeconds(7), ex.retryAfter());

            assertEquals(EngineException.Kind.UNAVAILABLE,
                    assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("locked"), new EventLog())).kind());
            assertEquals(EngineException.Kind.UNAVAILABLE,
                    assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("loading"), new EventLog())).kind());
            ex = assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("bad"), new EventLog()));
            assertEquals(EngineException.Kind.INVALID_REQUEST, ex.kind());
            assertTrue(ex.getMessage().contains("temperature must be non-negative"), ex.getMessage());
            assertEquals(EngineException.Kind.INTERNAL,
                    assertThrows(EngineException.class, () -> e.generate(HELLO.withModel("other"), new EventLog())).kind());
        }
    }

    /** The model a request asked for. */
    private static final class JsonModel {
        static String of(LoopbackServer.Request r) {
            return Json.tryParse(r.body()).map(n -> n.path("model").asText()).orElse("");
        }
    }

    @Test
    void aServerThatIsNotUpIsUnavailableAtGenerate() throws IOException {
        int port = freePort();
        try (OpenAiEngine e = new OpenAiEngine(OpenAiDialect.LLAMACPP, Endpoint.parse("127.0.0.1:" + port, 8080, null))) {
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(HELLO, new EventLog()));
            assertEquals(EngineException.Kind.UNAVAILABLE, ex.kind());
            assertEquals("cannot reach the llama.cpp server at http://127.0.0.1:" + port + ": connection refused (is it running?)", ex.getMessage());
            Health h = e.health();
            assertFalse(h.up());
            assertTrue(h.detail().contains("connection refused"), h.detail());
        }
    }

    @Test
    void theApiKeyIsSentAsBearerAndShownNowhere() throws Exception {
        String secret = "sk-test-0123456789abcdef";
        try (LoopbackServer s = new LoopbackServer(req -> "Bearer sk-test-0123456789abcdef".equals(req.header("Authorization"))
                ? Reply.json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"}]}")
                : Reply.json(401, "{\"error\":\"Unauthorized\"}"));
             OpenAiEngine good = new OpenAiEngine(OpenAiDialect.VLLM, Endpoint.parse("http://127.0.0.1:" + s.port(), 8000, secret));
             OpenAiEngine bad = new OpenAiEngine(OpenAiDialect.VLLM, Endpoint.parse("http://127.0.0.1:" + s.port(), 8000, "wrong-key"))) {
            assertEquals(List.of(new ModelInfo("m", "vllm", 0, false)), good.models());
            assertTrue(good.health().up());
            assertFalse(good.endpoint().toString().contains(secret));
            assertTrue(good.endpoint().toString().endsWith("(with API key)"));
            EngineException ex = assertThrows(EngineException.class, bad::models);
            assertEquals(EngineException.Kind.UNAVAILABLE, ex.kind());
            assertFalse(ex.getMessage().contains("wrong-key"), ex.getMessage());
            assertTrue(ex.getMessage().contains("check the API key"), ex.getMessage());
        }
    }

    @Test
    void modelsHealthAndTheDefaultModel() throws Exception {
        String models = fixture("openai/vllm-models.json");
        String stream = fixture("openai/vllm-chat-stream.sse");
        try (LoopbackServer s = new LoopbackServer(req -> req.path().equals("/v1/models") ? Reply.json(200, models)
                : Reply.stream(SSE, LoopbackServer.lines(stream, 0)));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            assertEquals(List.of(new ModelInfo("Qwen/Qwen2.5-0.5B-Instruct", "vllm", 32768, false)), e.models());
            Health h = e.health();
            assertTrue(h.up());
            assertEquals("vLLM server at http://127.0.0.1:" + s.port() + " serves Qwen/Qwen2.5-0.5B-Instruct", h.detail());

            EventLog log = new EventLog();
            log.run(e, HELLO.withModel(null), GenerationEvent.Done.class);
            JsonNode sent = Json.MAPPER.readTree(s.requests().getLast().body());
            assertEquals("Qwen/Qwen2.5-0.5B-Instruct", sent.get("model").asText(), "no model asked: the server's first");
        }
    }

    @Test
    void embeddingsComeBackInInputOrder() throws Exception {
        String body = fixture("openai/vllm-embeddings.json");
        try (LoopbackServer s = new LoopbackServer(req -> Reply.json(200, body));
             OpenAiEngine e = engine(s, OpenAiDialect.VLLM)) {
            List<float[]> v = e.embed("intfloat/e5-small-v2", List.of("first", "second")).vectors();
            assertArrayEquals(new float[] {1f, 0f, -1f}, v.get(0));
            assertArrayEquals(new float[] {0.25f, -0.5f, 0.125f}, v.get(1));
            assertEquals("/v1/embeddings", s.requests().getFirst().path());
        }
    }

    @Test
    void closeCancelsRunningGenerationsAndRefusesNewOnes() throws Exception {
        try (LoopbackServer s = new LoopbackServer(firstTokenThen(LoopbackServer.HoldOpen.sse()))) {
            OpenAiEngine e = engine(s, OpenAiDialect.VLLM);
            EventLog log = new EventLog();
            Generation g = e.generate(HELLO, log);
            log.awaitFirstToken();
            e.close();
            GenerationEvent.Done d = assertInstanceOf(GenerationEvent.Done.class, log.awaitEnd(g));
            assertEquals(FinishReason.CANCEL, d.reason());
            assertEquals(EngineException.Kind.UNAVAILABLE,
                    assertThrows(EngineException.class, () -> e.generate(HELLO, new EventLog())).kind());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
