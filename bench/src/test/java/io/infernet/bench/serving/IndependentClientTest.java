package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.infernet.engines.Json;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The independent Python client against a server that streams a fixed answer: what it sends and what it reports. */
class IndependentClientTest {

    @Test
    void sendsTheSameLoadAndReportsTheServersUsage(@TempDir Path dir) throws Exception {
        Optional<IndependentClient> client = IndependentClient.find(dir);
        assertTrue(client.isPresent(), "python3 is on the PATH of every machine this project builds on");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<JsonNode> bodies = new ArrayList<>();
        server.createContext("/v1/chat/completions", ex -> {
            synchronized (bodies) {
                bodies.add(Json.MAPPER.readTree(ex.getRequestBody().readAllBytes()));
            }
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(ChatStreamTest.STREAM.getBytes(StandardCharsets.UTF_8));
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            ServingLevel l = client.get().run(base, "m", ServingBench.PROMPTS, 16, 3, 2, ChatStream.Sampling.clients(42), Duration.ofSeconds(60));
            assertEquals(6, l.requests());
            assertEquals(0, l.failed());
            assertEquals(18, l.completionTokens(), "the usage chunk's 3 tokens per request");
            assertFalse(Double.isNaN(l.ttftP50Ms()));
            assertEquals(6, bodies.size());
            List<Long> seeds = bodies.stream().map(b -> b.path("seed").asLong()).sorted().toList();
            assertEquals(List.of(42L, 43L, 1042L, 1043L, 2042L, 2043L), seeds, "seed + 1000 x stream + request, as our client sends");
            for (JsonNode b : bodies) {
                assertEquals(0.8, b.path("temperature").asDouble(), 1e-9);
                assertEquals(0.95, b.path("top_p").asDouble(), 1e-9);
                assertEquals(16, b.path("max_tokens").asInt());
                assertTrue(b.path("stream_options").path("include_usage").asBoolean());
                assertTrue(ServingBench.PROMPTS.contains(b.at("/messages/0/content").asText()));
            }
        } finally {
            server.stop(0);
        }
    }
}
