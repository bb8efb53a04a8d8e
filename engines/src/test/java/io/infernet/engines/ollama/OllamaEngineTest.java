package io.infernet.engines.ollama;

import static io.infernet.engines.remote.EventLog.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import io.infernet.engines.Usage;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.EventLog;
import io.infernet.engines.Json;
import io.infernet.engines.remote.LoopbackServer;
import io.infernet.engines.remote.LoopbackServer.Reply;
import io.infernet.kernels.SamplingParams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Ollama client against a loopback server replaying Ollama's recorded wire. */
class OllamaEngineTest {

    private static final String NDJSON = "application/x-ndjson";
    private static final OllamaOptions MACHINE = new OllamaOptions(8192, 6, null);
    private static final GenerationRequest ASK = GenerationRequest.chat("llama3.2:3b",
            List.of(new ChatMessage("user", "Why is the sky blue?")), SamplingParams.greedy(), 64);

    /** Answers like Ollama: the API by path, streams from fixtures with a short pause per line. */
    private static LoopbackServer ollama() throws Exception {
        String chat = fixture("ollama/chat-stream.ndjson");
        String length = fixture("ollama/chat-length.ndjson");
        String broken = fixture("ollama/chat-error-midstream.ndjson");
        String generate = fixture("ollama/generate-stream.ndjson");
        String pull = fixture("ollama/pull-progress.ndjson");
        String pullMissing = fixture("ollama/pull-not-found.ndjson");
        String notFound = fixture("ollama/model-not-found-404.json");
        String tags = fixture("ollama/tags.json");
        String embed = fixture("ollama/embed.json");
        return new LoopbackServer(req -> {
            String model = Json.tryParse(req.body()).map(n -> n.path("model").asText()).orElse("");
            return switch (req.method() + " " + req.path()) {
                case "GET /api/tags" -> Reply.json(200, tags);
                case "POST /api/embed" -> Reply.json(200, embed);
                case "POST /api/generate" -> Reply.stream(NDJSON, LoopbackServer.lines(generate, 5));
                case "POST /api/pull" -> Reply.stream(NDJSON, LoopbackServer.lines(model.equals("nope") ? pullMissing : pull, 2));
                case "DELETE /api/delete" -> model.equals("llama3.2:3b") ? Reply.json(200, "") : Reply.json(404,
                        "{\"error\":\"model '" + model + "' not found\"}");
                case "POST /api/chat" -> switch (model) {
                    case "nope" -> Reply.json(404, notFound);
                    case "short" -> Reply.stream(NDJSON, LoopbackServer.lines(length, 5));
                    case "broken" -> Reply.stream(NDJSON, LoopbackServer.lines(broken, 5));
                    case "slow" -> {
                        List<LoopbackServer.Part> parts = new ArrayList<>(LoopbackServer.lines(String.join("\n", chat.lines().limit(2).toList()), 5));
                        parts.add(LoopbackServer.HoldOpen.ndjson());
                        yield Reply.stream(NDJSON, parts);
                    }
                    case "crash" -> {
                        List<LoopbackServer.Part> parts = new ArrayList<>(LoopbackServer.lines(String.join("\n", chat.lines().limit(3).toList()), 5));
                        parts.add(new LoopbackServer.Pause(200));
                        parts.add(new LoopbackServer.Cut());
                        yield Reply.stream(NDJSON, parts);
                    }
                    default -> Reply.stream(NDJSON, LoopbackServer.lines(chat, 5));
                };
                default -> Reply.json(404, "404 page not found");
            };
        });
    }

    private static OllamaEngine client(LoopbackServer s) {
        return new OllamaEngine(Endpoint.parse("127.0.0.1:" + s.port(), OllamaEngine.DEFAULT_PORT, null), MACHINE);
    }

    @Test
    void aChatStreamsTokensThenDoneWithOllamasCounts() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e, ASK, GenerationEvent.Done.class);
            assertEquals(FinishReason.STOP, d.reason());
            assertEquals("The sky looks blue because of Rayleigh scattering — très simple.", d.text());
            assertEquals(d.text(), log.tokenText());
            assertEquals(12, log.tokens());
            assertEquals(new Usage(31, 13), d.usage());
            JsonNode sent = Json.MAPPER.readTree(s.requests().getFirst().body());
            assertEquals(8192, sent.at("/options/num_ctx").asInt(), "the context length is always sent");
            assertEquals(6, sent.at("/options/num_thread").asInt());
            assertEquals(64, sent.at("/options/num_predict").asInt());
        }
    }

    @Test
    void doneReasonLengthEndsWithLength() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e, ASK.withModel("short"), GenerationEvent.Done.class);
            assertEquals(FinishReason.LENGTH, d.reason());
            assertEquals("Once upon a time", d.text());
        }
    }

    @Test
    void rawPromptsGoToGenerate() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            GenerationEvent.Done d = log.run(e, GenerationRequest.completion("llama3.2:3b", "1, 2, 3,", SamplingParams.greedy(), 3),
                    GenerationEvent.Done.class);
            assertEquals(" 4, 5", d.text());
            assertEquals(new Usage(9, 3), d.usage());
            assertTrue(Json.MAPPER.readTree(s.requests().getFirst().body()).get("raw").asBoolean());
        }
    }

    @Test
    void anErrorLineMidStreamIsAnErrorEvent() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, ASK.withModel("broken"), GenerationEvent.Error.class);
            assertEquals("the Ollama server at http://127.0.0.1:" + s.port()
                    + " reported an error mid-stream: an error was encountered while running the model: unexpected EOF", err.message());
            assertEquals("Sure, here", log.tokenText());
        }
    }

    @Test
    void aMissingModelIsRefusedAtGenerate() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(ASK.withModel("nope"), new EventLog()));
            assertEquals(EngineException.Kind.MODEL_NOT_FOUND, ex.kind());
            assertTrue(ex.getMessage().startsWith("model \"nope:latest\" not found, try pulling it first"), ex.getMessage());
        }
    }

    @Test
    void cancelMidStreamDropsTheConnectionAndEndsInDoneCancel() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            Generation g = e.generate(ASK.withModel("slow"), log);
            log.awaitFirstToken();
            g.cancel();
            GenerationEvent.Done d = assertInstanceOf(GenerationEvent.Done.class, log.awaitEnd(g));
            assertEquals(FinishReason.CANCEL, d.reason());
            assertTrue("The sky".startsWith(d.text()) && !d.text().isEmpty(), d.text());
            assertEquals(log.tokenText(), d.text(), "the text is what the tokens said");
            assertTrue(s.disconnected().await(10, TimeUnit.SECONDS), "the server noticed the client left");
        }
    }

    @Test
    void aCrashMidStreamIsAnErrorEvent() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            EventLog log = new EventLog();
            GenerationEvent.Error err = log.run(e, ASK.withModel("crash"), GenerationEvent.Error.class);
            assertTrue(err.message().contains("Ollama server at http://127.0.0.1:" + s.port()), err.message());
            assertEquals("The sky looks", log.tokenText());
        }
    }

    @Test
    void pullReportsProgressThroughTheCallback() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            List<PullProgress> seen = new ArrayList<>();
            e.pull("llama3.2:3b", seen::add);
            assertEquals(14, seen.size());
            assertEquals("pulling manifest", seen.getFirst().status());
            assertEquals(4, seen.stream().map(PullProgress::digest).filter(d -> d != null).distinct().count());
            assertEquals("success", seen.getLast().status());

            EngineException ex = assertThrows(EngineException.class, () -> e.pull("nope", p -> {}));
            assertEquals(EngineException.Kind.MODEL_NOT_FOUND, ex.kind());
            assertEquals("pulling 'nope' failed: pull model manifest: file does not exist", ex.getMessage());
        }
    }

    @Test
    void deleteTagsEmbedAndHealth() throws Exception {
        try (LoopbackServer s = ollama(); OllamaEngine e = client(s)) {
            e.delete("llama3.2:3b");
            LoopbackServer.Request del = s.requests().getLast();
            assertEquals("DELETE /api/delete {\"model\":\"llama3.2:3b\"}", del.method() + " " + del.path() + " " + del.body());
            EngineException ex = assertThrows(EngineException.class, () -> e.delete("gone:1b"));
            assertEquals(EngineException.Kind.MODEL_NOT_FOUND, ex.kind());

            assertEquals(List.of("llama3.2:3b", "nomic-embed-text:latest"), e.models().stream().map(m -> m.id()).toList());
            assertEquals(2, e.embed("nomic-embed-text", List.of("a", "b")).vectors().size());
            JsonNode sent = Json.MAPPER.readTree(s.requests().getLast().body());
            assertEquals(8192, sent.at("/options/num_ctx").asInt());

            Health h = e.health();
            assertTrue(h.up(), h.detail());
            assertEquals("Ollama server at http://127.0.0.1:" + s.port() + " has llama3.2:3b, nomic-embed-text:latest", h.detail());

            EventLog log = new EventLog();
            log.run(e, ASK.withModel(null), GenerationEvent.Done.class);
            assertEquals("llama3.2:3b", Json.MAPPER.readTree(s.requests().getLast().body()).get("model").asText(),
                    "no model asked: Ollama's first");
        }
    }

    @Test
    void ollamaNotRunningIsUnavailableAndHealthSaysWhy() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (OllamaEngine e = new OllamaEngine(Endpoint.parse("http://127.0.0.1:" + port, 11434, null), MACHINE)) {
            EngineException ex = assertThrows(EngineException.class, () -> e.generate(ASK, new EventLog()));
            assertEquals(EngineException.Kind.UNAVAILABLE, ex.kind());
            assertTrue(ex.getMessage().contains("connection refused"), ex.getMessage());
            Health h = e.health();
            assertFalse(h.up());
            assertTrue(h.latency().toMillis() < 5000, "a refused probe answers at once: " + h.latency());
        }
    }
}
