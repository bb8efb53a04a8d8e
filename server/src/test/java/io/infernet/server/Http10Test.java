package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.0 clients, nginx's default {@code proxy_pass} among them, over raw sockets: Helidon
 * 4.5.0 answers 505 to every 1.0 request; through the edge they get a 1.0 answer, never chunked,
 * and the connection closes at its end (which is where a stream's body ends).
 */
class Http10Test {

    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static final String CHAT = """
            {"seed": 5, "messages": [{"role": "user", "content": "hello there"}]}""";
    private static final String CHAT_STREAM = """
            {"seed": 5, "stream": true, "messages": [{"role": "user", "content": "hello there"}]}""";

    /** A response split at its blank line: status line, lower-cased header lines, body. */
    record Response(String status, List<String> headers, String body) {
        static Response parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no complete head in: " + raw);
            String[] lines = raw.substring(0, end).split("\r\n");
            return new Response(lines[0], List.of(lines).subList(1, lines.length).stream().map(l -> l.toLowerCase(Locale.ROOT)).toList(),
                    raw.substring(end + 4));
        }

        boolean has(String headerLine) {
            return headers.contains(headerLine);
        }
    }

    private static String nginxPost(String path, String json) {
        // What nginx sends upstream with a default proxy_pass: HTTP/1.0, Connection: close, the client's Host.
        return "POST " + path + " HTTP/1.0\r\nHost: api.example\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    @Test
    void aGetWithoutHostGetsA10AnswerAndTheConnectionCloses() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawSocket s = new RawSocket(api.server.port())) {
            Response r = Response.parse(s.send("GET /v1/models HTTP/1.0\r\n\r\n").readUntilClosed(CLOSE, "the end of a 1.0 answer"));
            assertEquals("HTTP/1.0 200 OK", r.status());
            assertTrue(r.has("connection: close"), r.headers().toString());
            assertFalse(r.headers().stream().anyMatch(h -> h.startsWith("transfer-encoding")), r.headers().toString());
            assertEquals(FakeEngine.MODEL, ApiHarness.json(r.body()).get("data").get(0).get("id").asText());
        }
    }

    @Test
    void aNonStreamedChatThroughNginxIsAnsweredWhole() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawSocket s = new RawSocket(api.server.port())) {
            Response r = Response.parse(s.send(nginxPost("/v1/chat/completions", CHAT)).readUntilClosed(CLOSE, "a 1.0 chat answer"));
            assertEquals("HTTP/1.0 200 OK", r.status());
            JsonNode body = ApiHarness.json(r.body());
            assertEquals(String.join("", FakeEngine.script(api.engine.lastRequest(), api.engine.scriptTokens)),
                    body.get("choices").get(0).get("message").get("content").asText());
            assertTrue(r.headers().stream().anyMatch(h -> h.equals("content-length: " + r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)),
                    r.headers().toString());
        }
    }

    @Test
    void aStreamThroughNginxIsNotChunkedAndEndsWithTheConnection() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawSocket s = new RawSocket(api.server.port())) {
            Response r = Response.parse(s.send(nginxPost("/v1/chat/completions", CHAT_STREAM)).readUntilClosed(CLOSE, "a 1.0 stream"));
            assertEquals("HTTP/1.0 200 OK", r.status());
            assertTrue(r.has("connection: close"), r.headers().toString());
            assertTrue(r.headers().stream().anyMatch(h -> h.startsWith("content-type: text/event-stream")), r.headers().toString());
            assertFalse(r.headers().stream().anyMatch(h -> h.startsWith("transfer-encoding") || h.startsWith("content-length")),
                    r.headers().toString());
            // The body is the bare SSE events, no chunk framing: it parses as a whole stream.
            List<String> payloads = ApiHarness.ssePayloads(r.body());
            assertEquals("[DONE]", payloads.getLast());
            StringBuilder text = new StringBuilder();
            for (String p : payloads.subList(0, payloads.size() - 1)) {
                JsonNode delta = ApiHarness.json(p).get("choices").get(0).get("delta");
                if (delta.has("content")) {
                    text.append(delta.get("content").asText());
                }
            }
            assertEquals(String.join("", FakeEngine.script(api.engine.lastRequest(), api.engine.scriptTokens)), text.toString());
        }
    }

    @Test
    void errorsAre10AnswersToo() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawSocket s = new RawSocket(api.server.port())) {
            Response r = Response.parse(s.send(nginxPost("/v1/chat/completions", "{\"messages\": 3}")).readUntilClosed(CLOSE, "a 1.0 error"));
            assertEquals("HTTP/1.0 400 Bad Request", r.status());
            assertEquals("messages", ApiHarness.json(r.body()).get("error").get("param").asText());
        }
        try (ApiHarness api = new ApiHarness(); RawSocket s = new RawSocket(api.server.port())) {
            Response r = Response.parse(s.send("GET /nowhere HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readUntilClosed(CLOSE, "a 1.0 404"));
            assertEquals("HTTP/1.0 404 Not Found", r.status());
            assertTrue(r.has("connection: close"), "1.0 keep-alive is not offered: " + r.headers());
        }
    }

    @Test
    void aChunkedResponseIsUnchunkedWhereverHelidonsWritesAreCut() {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n";
        String body = "7;ext=1\r\ndata: a\r\n" + "a\r\n\n\ndata: bc\r\n" + "0\r\nTrailer: x\r\n\r\n";
        byte[] in = (head + body).getBytes(StandardCharsets.US_ASCII);
        String expected = "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: a\n\ndata: bc";
        for (int cut = 0; cut <= in.length; cut++) { // one write cut in two at every byte
            Http10Response r = new Http10Response(null);
            String out = new String(r.transform(java.util.Arrays.copyOfRange(in, 0, cut)), StandardCharsets.US_ASCII)
                    + new String(r.transform(java.util.Arrays.copyOfRange(in, cut, in.length)), StandardCharsets.US_ASCII);
            assertEquals(expected, out, "cut at " + cut);
        }
        Http10Response interim = new Http10Response(null);
        assertEquals("HTTP/1.0 204 No Content\r\nConnection: close\r\n\r\n", new String(interim.transform(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII),
                "a 1.0 client gets no interim response");
    }

    @Test
    void aRequestHeadIsRewrittenFor11() {
        String in = "POST /v1/x HTTP/1.0\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n";
        assertEquals("POST /v1/x HTTP/1.1\r\nContent-Length: 2\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n",
                new String(Http10Request.rewrite(in.getBytes(StandardCharsets.ISO_8859_1), "127.0.0.1:8080"), StandardCharsets.ISO_8859_1));
        String withHost = "GET / HTTP/1.0\r\nhost: nginx.upstream\r\n\r\n";
        assertEquals("GET / HTTP/1.1\r\nhost: nginx.upstream\r\nConnection: close\r\n\r\n",
                new String(Http10Request.rewrite(withHost.getBytes(StandardCharsets.ISO_8859_1), "ignored"), StandardCharsets.ISO_8859_1));
    }

    @Test
    void http11OnTheSameServerIsUnchanged() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawHttp raw = new RawHttp(api.server.port())) {
            raw.get("/health", "");
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            raw.body();
            raw.get("/health", "Connection: close\r\n"); // the same connection served a second request
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
        }
    }
}
