package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChatStreamTest {

    /** The shape llama-server streams: a role chunk, content chunks, a finish chunk, a usage chunk, [DONE]. */
    static final String STREAM = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null}}],"object":"chat.completion.chunk"}

            data: {"choices":[{"index":0,"delta":{"content":"Hello"}}],"object":"chat.completion.chunk"}

            data: {"choices":[{"index":0,"delta":{"content":" world"}}],"object":"chat.completion.chunk"}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"object":"chat.completion.chunk","usage":null}

            data: {"choices":[],"object":"chat.completion.chunk","usage":{"completion_tokens":3,"prompt_tokens":9,"total_tokens":12}}

            data: [DONE]

            """;

    @Test
    void usageWinsOverCountedChunks() throws Exception {
        ChatStream.Outcome o = ChatStream.read(new ByteArrayInputStream(STREAM.getBytes(StandardCharsets.UTF_8)), System.nanoTime());
        assertTrue(o.ok(), String.valueOf(o.error()));
        assertEquals(2, o.contentChunks());
        assertEquals(3, o.completionTokens());
        assertFalse(Double.isNaN(o.ttftMs()));
    }

    @Test
    void interTokenTimeRunsFromTheFirstContentChunkToTheLast() throws Exception {
        ChatStream.Outcome o = ChatStream.read(new ByteArrayInputStream(STREAM.getBytes(StandardCharsets.UTF_8)), System.nanoTime());
        assertTrue(o.lastContentMs() >= o.ttftMs() && o.lastContentMs() <= o.totalMs(), o.toString());
        assertEquals((o.lastContentMs() - o.ttftMs()) / 2, o.interTokenMs(), 1e-12);
        // 3 tokens: first content at 10 ms, last at 30 ms, [DONE] at 50 ms
        ChatStream.Outcome timed = new ChatStream.Outcome(true, 10, 50, 3, 3, null, 9, 30);
        assertEquals(10, timed.interTokenMs(), 1e-12);
        assertEquals(20, timed.perTokenMs(), 1e-12);
        assertTrue(Double.isNaN(new ChatStream.Outcome(true, 10, 50, 1, 1, null, 9, 10).interTokenMs()));
    }

    @Test
    void withoutUsageChunksAreCountedAndATruncatedStreamFails() throws Exception {
        String noUsage = STREAM.replace("data: {\"choices\":[],\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":9,\"total_tokens\":12}}\n", "");
        ChatStream.Outcome o = ChatStream.read(new ByteArrayInputStream(noUsage.getBytes(StandardCharsets.UTF_8)), System.nanoTime());
        assertTrue(o.ok());
        assertEquals(2, o.completionTokens());
        String cut = STREAM.substring(0, STREAM.indexOf("data: [DONE]"));
        ChatStream.Outcome c = ChatStream.read(new ByteArrayInputStream(cut.getBytes(StandardCharsets.UTF_8)), System.nanoTime());
        assertFalse(c.ok());
        assertEquals("the stream ended without [DONE]", c.error());
        String err = "data: {\"error\":{\"message\":\"boom\"}}\n\n";
        assertFalse(ChatStream.read(new ByteArrayInputStream(err.getBytes(StandardCharsets.UTF_8)), System.nanoTime()).ok());
    }

    @Test
    void theRequestAsksForAStreamWithUsage() throws Exception {
        JsonNode b = new ObjectMapper().readTree(ChatStream.body("m", "hi", 16));
        assertEquals("m", b.get("model").asText());
        assertEquals("hi", b.get("messages").get(0).get("content").asText());
        assertEquals(16, b.get("max_tokens").asInt());
        assertTrue(b.get("stream").asBoolean());
        assertTrue(b.get("stream_options").get("include_usage").asBoolean());
        assertEquals(0, b.get("temperature").asInt());
    }

    @Test
    void levelsAreSummarizedFromOutcomes() {
        List<ChatStream.Outcome> outs = List.of(
                new ChatStream.Outcome(true, 10, 100, 100, 100, null),
                new ChatStream.Outcome(true, 30, 100, 120, 120, null),
                new ChatStream.Outcome(true, 20, 100, 80, 80, null),
                new ChatStream.Outcome(false, Double.NaN, 5, 0, 0, "HTTP 503"));
        ServingLevel l = LoadGenerator.summarize(4, outs, 2.0);
        assertEquals(3, l.requests());
        assertEquals(1, l.failed());
        assertEquals(300, l.completionTokens());
        assertEquals(150, l.aggregateTokensPerSecond(), 1e-12);
        assertEquals(20, l.ttftP50Ms());
        assertEquals(30, l.ttftP90Ms());
        assertEquals(30, l.ttftP99Ms());
    }

    @Test
    void drivesAnOpenAiCompatibleServerOnLoopback() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        List<String> bodies = new ArrayList<>();
        server.createContext("/v1/chat/completions", ex -> {
            requests.incrementAndGet();
            synchronized (bodies) {
                bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(STREAM.getBytes(StandardCharsets.UTF_8));
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            ChatStream client = new ChatStream(base, Duration.ofSeconds(10));
            ServingLevel l = LoadGenerator.run(client, "m", ServingBench.PROMPTS, 16, 4, 2);
            assertEquals(8, requests.get());
            assertEquals(8, l.requests());
            assertEquals(0, l.failed());
            assertEquals(24, l.completionTokens());
            assertTrue(bodies.stream().allMatch(b -> b.contains("\"stream\":true")));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void serverCommandsAreValues() {
        ServingBench.Settings s = new ServingBench.Settings(List.of(1, 4, 8, 16), 128, 4, 2, 512, 0, Duration.ofMinutes(1), Duration.ofMinutes(1), 3, true);
        assertEquals(List.of("/b/llama-server", "-m", "/m/demo.gguf", "--host", "127.0.0.1", "--port", "8081", "-np", "16", "-t", "2", "-tb", "2",
                "-c", "8192", "-ngl", "0"), ServingBench.llamaServerCommand(Path.of("/b/llama-server"), Path.of("/m/demo.gguf"), 8081, s));
        List<String> ours = ServingBench.oursCommand(Path.of("/m/demo.gguf"), 8082, s, java.util.Optional.of(Path.of("/b/bin")));
        assertTrue(ours.contains("-Dinfernet.llama.dir=/b/bin"), ours.toString());
        assertEquals(List.of("io.infernet.node.cli.Main", "serve", "--model", "/m/demo.gguf", "--port", "8082", "--parallel", "16", "--threads", "2",
                "--ctx", "512"), ours.subList(ours.size() - 12, ours.size()));
    }
}
