package io.infernet.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.Progress;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.serve.ServeConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI API as a black box on loopback, over the real in-process engine and a generated
 * model (random weights, llama.cpp on one thread).
 */
@Tag("native")
class InProcessApiTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A server over the in-process engine; closes both. */
    record Served(ApiServer server, InProcessEngine engine) implements AutoCloseable {
        static Served start(ServeConfig cfg) {
            return start(cfg, 0);
        }

        static Served start(ServeConfig cfg, int pooling) {
            Model m = Model.load(DemoModel.ensure(SynthPreset.TINY.spec().withPooling(pooling), Progress.NONE));
            InProcessEngine e = new InProcessEngine(m, "tiny", cfg, JavaSampler::new);
            return new Served(ApiServer.start(e, ServerConfig.defaults().withPort(0)), e);
        }

        HttpResponse<String> post(String path, String body) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(60))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
            return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(120))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        @Override
        public void close() {
            server.close();
            engine.close();
        }
    }

    private static ServeConfig config() {
        return ServeConfig.defaults().withThreads(1).withKvCells(4096).withBatchSize(128);
    }

    private static String chat(String content, int maxTokens, boolean stream, String extra) {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}],\"max_tokens\":" + maxTokens
                + ",\"stream\":" + stream + extra + "}";
    }

    @Test
    void streamedChunksConcatenateToTheNonStreamedTextForTheSameSeed() throws Exception {
        try (Served s = Served.start(config())) {
            String sampling = ",\"temperature\":0.9,\"top_p\":0.95,\"seed\":1234";
            JsonNode whole = ApiHarness.json(s.post("/v1/chat/completions", chat("Tell me a story", 40, false, sampling)).body());
            String text = whole.get("choices").get(0).get("message").get("content").asText();
            HttpResponse<String> streamed = s.post("/v1/chat/completions",
                    chat("Tell me a story", 40, true, sampling + ",\"stream_options\":{\"include_usage\":true}"));
            List<JsonNode> chunks = ApiHarness.sseChunks(streamed);
            assertEquals(text, ApiHarness.chatText(chunks));
            assertTrue(text.length() > 10, text);
            JsonNode usage = chunks.getLast().get("usage");
            for (String f : List.of("prompt_tokens", "completion_tokens", "total_tokens")) {
                assertEquals(whole.get("usage").get(f), usage.get(f), f);
            }
            assertEquals(40, usage.get("completion_tokens").asInt());
            // The same prompt again: served from the prompt cache, and said so (as OpenAI and llama-server do).
            assertEquals(0, whole.at("/usage/prompt_tokens_details/cached_tokens").asInt(-1), whole.toString());
            int cached = usage.at("/prompt_tokens_details/cached_tokens").asInt(-1);
            assertTrue(cached > 0 && cached < usage.get("prompt_tokens").asInt(), usage.toString());
        }
    }

    @Test
    void eightConcurrentStreamsAllCompleteWithCorrectUsage() throws Exception {
        try (Served s = Served.start(config().withParallel(4))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(s.postAsync("/v1/chat/completions",
                        chat("Request number " + i, 10 + i, true, ",\"temperature\":0,\"stream_options\":{\"include_usage\":true}")));
            }
            for (int i = 0; i < 8; i++) {
                List<JsonNode> chunks = ApiHarness.sseChunks(all.get(i).get());
                JsonNode usage = chunks.getLast().get("usage");
                assertEquals(10 + i, usage.get("completion_tokens").asInt(), "request " + i);
                assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(), usage.get("total_tokens").asInt());
                assertEquals("length", chunks.get(chunks.size() - 2).get("choices").get(0).get("finish_reason").asText());
            }
            assertEquals(8, s.engine().serveStats().cacheHits() + s.engine().serveStats().cacheMisses());
        }
    }

    @Test
    void aClientThatDisconnectsFreesItsSlot() throws Exception {
        try (Served s = Served.start(config().withParallel(1))) {
            int port = s.server().port();
            String body = chat("Go on forever", 1_000_000, true, ",\"temperature\":0");
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                int events = 0;
                for (String line = in.readLine(); line != null && events < 5; line = in.readLine()) {
                    if (line.startsWith("data: ")) {
                        events++;
                    }
                }
                assertEquals(5, events);
            }
            // The only slot was held by the stream above; this one finishes only if it was freed.
            HttpResponse<String> next = s.post("/v1/chat/completions", chat("Next", 3, false, ""));
            assertEquals(200, next.statusCode(), next.body());
            // The engine publishes its counters after the step that ended the request, which may
            // come after the response reached us.
            await().atMost(Duration.ofSeconds(30)).alias("no running sequence once both requests ended")
                    .until(() -> s.engine().serveStats().running() == 0);
        }
    }

    @Test
    void errorsComeInOpenAisShape() throws Exception {
        try (Served s = Served.start(config().withParallel(1).withMaxQueue(0))) {
            String longText = "word ".repeat(5000);
            HttpResponse<String> tooLong = s.post("/v1/chat/completions", chat(longText, 4, false, ""));
            assertEquals(400, tooLong.statusCode());
            JsonNode err = ApiHarness.json(tooLong.body()).get("error");
            assertEquals("context_length_exceeded", err.get("code").asText());
            assertEquals("invalid_request_error", err.get("type").asText());
            assertTrue(err.get("message").asText().contains("maximum context length"), err.toString());

            HttpResponse<String> unknown = s.post("/v1/chat/completions", chat("hi", 4, false, "").replace("\"tiny\"", "\"gpt-9\""));
            assertEquals(404, unknown.statusCode());
            assertEquals("model_not_found", ApiHarness.json(unknown.body()).get("error").get("code").asText());

            // One slot, no queue: a second request while a stream runs (until its 4096-token
            // context is full) is 429 with Retry-After.
            CompletableFuture<HttpResponse<String>> busy = s.postAsync("/v1/chat/completions", chat("busy", 1_000_000, true, ",\"temperature\":0"));
            await().atMost(Duration.ofSeconds(30)).alias("the long request holds the only slot").until(() -> {
                assertTrue(!busy.isDone(), "the long request ended early");
                return s.engine().serveStats().running() == 1;
            });
            HttpResponse<String> refused = s.post("/v1/chat/completions", chat("hi", 4, false, ""));
            assertEquals(429, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            // Not waiting for the long one to fill its context (minutes on a loaded machine): its
            // client goes away mid-stream, which frees the slot.
            busy.cancel(true);
            await().atMost(Duration.ofSeconds(60)).alias("the abandoned request leaves its slot").until(() -> s.engine().serveStats().running() == 0);
        }
    }

    @Test
    void sequencesSwappedOutToHostMemoryResumeAndFinish() throws Exception {
        // 256 cells for four requests that each grow to about 150 tokens.
        try (Served s = Served.start(config().withParallel(4).withKvCells(256).withBatchSize(32))) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(s.postAsync("/v1/completions", "{\"prompt\":\"Item " + i + " is\",\"max_tokens\":140,\"temperature\":0}"));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(140, ApiHarness.json(r.body()).get("usage").get("completion_tokens").asInt());
            }
            assertTrue(s.engine().serveStats().preemptions() > 0, s.engine().serveStats().toString());
        }
    }

    @Test
    void embeddingsFromAModelWithPoolingAndARefusalWithout() throws Exception {
        try (Served s = Served.start(config(), 1)) {
            HttpResponse<String> r = s.post("/v1/embeddings", "{\"model\":\"tiny\",\"input\":[\"hello world\",\"a different text\",\"hello world\"]}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode root = ApiHarness.json(r.body());
            JsonNode data = root.get("data");
            assertEquals(3, data.size());
            double[][] v = new double[3][];
            for (int i = 0; i < 3; i++) {
                JsonNode e = data.get(i).get("embedding");
                assertEquals(64, e.size());
                v[i] = new double[e.size()];
                double norm = 0;
                for (int j = 0; j < e.size(); j++) {
                    v[i][j] = e.get(j).asDouble();
                    norm += v[i][j] * v[i][j];
                }
                assertEquals(1.0, Math.sqrt(norm), 1e-4, "normalized");
            }
            assertTrue(java.util.Arrays.equals(v[0], v[2]), "the same text embeds the same");
            assertTrue(!java.util.Arrays.equals(v[0], v[1]), "different texts embed differently");
            assertTrue(root.get("usage").get("prompt_tokens").asInt() >= 6, root.toString());
            assertTrue(s.engine().models().getFirst().embeddings());
        }
        try (Served s = Served.start(config())) {
            HttpResponse<String> r = s.post("/v1/embeddings", "{\"input\":\"hello\"}");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(ApiHarness.json(r.body()).get("error").get("message").asText().contains("no pooling layer"), r.body());
        }
    }
}
