package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A server on an ephemeral loopback port over a {@link FakeEngine}, and an HTTP/1.1 client. */
final class ApiHarness implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The engine when it is the fake one, else null. */
    final FakeEngine engine;
    private final io.infernet.engines.Engine target;
    final ApiServer server;
    final HttpClient http;
    final String base;

    ApiHarness() {
        this(ServerConfig.defaults().withPort(0));
    }

    ApiHarness(ServerConfig cfg) {
        this(new FakeEngine(), cfg);
    }

    ApiHarness(FakeEngine engine, ServerConfig cfg) {
        this(engine, cfg, EdgeConfig.defaults());
    }

    ApiHarness(EdgeConfig edge) {
        this(new FakeEngine(), ServerConfig.defaults().withPort(0), edge);
    }

    ApiHarness(io.infernet.engines.Engine engine, ServerConfig cfg, EdgeConfig edge) {
        this.engine = engine instanceof FakeEngine f ? f : null;
        this.target = engine;
        this.server = ApiServer.start(engine, cfg, edge);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.base = "http://127.0.0.1:" + server.port();
    }

    io.infernet.engines.Engine engine() {
        return target;
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }

    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /**
     * The events of an OpenAI stream, checked for exact framing: the body is nothing but
     * {@code data: <payload>\n\n} events, the last one {@code [DONE]}. Returns the JSON payloads
     * before {@code [DONE]}.
     */
    static List<JsonNode> sseChunks(HttpResponse<String> res) {
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                "content type " + res.headers().firstValue("Content-Type"));
        List<String> payloads = ssePayloads(res.body());
        assertTrue(!payloads.isEmpty() && payloads.getLast().equals("[DONE]"), "stream must end with [DONE]: " + res.body());
        List<JsonNode> chunks = new ArrayList<>();
        for (String p : payloads.subList(0, payloads.size() - 1)) {
            chunks.add(json(p));
        }
        return chunks;
    }

    /** Payloads of {@code data: ...\n\n} events; anything else in the body fails. */
    static List<String> ssePayloads(String body) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            if (!body.startsWith("data: ", i)) {
                fail("expected 'data: ' at offset " + i + " of: " + body);
            }
            int end = body.indexOf("\n\n", i);
            if (end < 0) {
                fail("event at offset " + i + " is not terminated by a blank line: " + body);
            }
            String payload = body.substring(i + 6, end);
            assertTrue(payload.indexOf('\n') < 0, "one line per event: " + payload);
            out.add(payload);
            i = end + 2;
        }
        return out;
    }

    /** The concatenated delta contents of chat chunks. */
    static String chatText(List<JsonNode> chunks) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : chunks) {
            for (JsonNode choice : c.get("choices")) {
                JsonNode content = choice.get("delta").get("content");
                if (content != null && !content.isNull()) {
                    sb.append(content.asText());
                }
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.close();
        target.close();
        http.close();
    }
}
