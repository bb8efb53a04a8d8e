package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** What only the wire shows: chunks leave one by one, and a client that leaves cancels its generation. */
class StreamingTransportTest {

    private static final String STREAM = """
            {"seed": 3, "stream": true, "messages": [{"role": "user", "content": "count"}]}""";

    @Test
    void eachEventIsItsOwnChunkAndLeavesBeforeTheNextTokenExists() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            Semaphore gate = api.engine.gated(3);
            gate.release(); // the first token: the head and the opening chunk go out with it (a request failing before gets a plain error)
            try (RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM)) {
                assertEquals("HTTP/1.1 200 OK", raw.statusLine);
                assertTrue(raw.headers.contains("content-type: text/event-stream"), raw.headers);
                assertTrue(raw.headers.contains("transfer-encoding: chunked"), raw.headers);
                String role = raw.nextChunk();
                assertTrue(role.startsWith("data: ") && role.endsWith("\n\n") && role.contains("\"role\":\"assistant\""), role);
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    if (i > 0) {
                        gate.release(); // the engine may now make exactly one more token
                    }
                    String chunk = raw.nextChunk();
                    assertTrue(chunk.startsWith("data: {") && chunk.endsWith("}\n\n"), chunk);
                    JsonNode c = ApiHarness.json(chunk.substring(6).strip());
                    text.append(c.get("choices").get(0).get("delta").get("content").asText());
                }
                String finish = raw.nextChunk();
                assertTrue(finish.contains("\"finish_reason\":\"stop\""), finish);
                assertEquals("data: [DONE]\n\n", raw.nextChunk());
                assertEquals("", raw.nextChunk(), "terminating chunk");
                assertEquals(String.join("", FakeEngine.script(api.engine.lastRequest(), 3)), text.toString());
            }
        }
    }

    @Test
    void javaHttpClientSeesEachTokenBeforeTheNextIsMade() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            Semaphore gate = api.engine.gated(4);
            HttpRequest req = HttpRequest.newBuilder(URI.create(api.base + "/v1/chat/completions")).header("Content-Type", "application/json")
                    .timeout(ApiHarness.TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(STREAM)).build();
            gate.release(); // the first token: the response's head goes out with it
            HttpResponse<java.io.InputStream> res = api.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                assertTrue(lines.readLine().contains("\"role\":\"assistant\""));
                assertEquals("", lines.readLine());
                for (int i = 0; i < 4; i++) {
                    if (i > 0) {
                        gate.release();
                    }
                    String data = lines.readLine();
                    assertTrue(data.startsWith("data: ") && data.contains("\"content\""), data);
                    assertEquals("", lines.readLine());
                }
                assertTrue(lines.readLine().contains("\"finish_reason\":\"stop\""));
            }
        }
    }

    @Test
    void clientClosingMidStreamCancelsTheGeneration() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            api.engine.endless = true;
            api.engine.tokenDelayMillis = 2;
            try (RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM)) {
                raw.nextChunk();
                raw.nextChunk();
            } // closed mid-stream
            assertNotNull(api.engine.awaitCancel(ApiHarness.TIMEOUT), "the engine saw no cancel");
        }
    }

    @Test
    void clientResettingTheConnectionCancelsTheGeneration() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            api.engine.endless = true;
            api.engine.tokenDelayMillis = 2;
            RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM);
            raw.nextChunk();
            raw.socket.setSoLinger(true, 0); // close with RST
            raw.close();
            assertNotNull(api.engine.awaitCancel(ApiHarness.TIMEOUT), "the engine saw no cancel");
        }
    }

    @Test
    void clientLeavingWhileTheEngineIsSilentIsFoundByKeepAlive() throws Exception {
        ServerConfig cfg = ServerConfig.defaults().withPort(0).withStreamKeepAlive(Duration.ofMillis(20));
        try (ApiHarness api = new ApiHarness(cfg)) {
            api.engine.gate = new Semaphore(0); // no token ever comes (a long prompt, a full queue)
            try (RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM)) {
                raw.nextChunk(); // role
                assertEquals(": keep-alive\n\n", raw.nextChunk(), "an SSE comment while waiting");
            }
            assertNotNull(api.engine.awaitCancel(ApiHarness.TIMEOUT), "the engine saw no cancel");
        }
    }

    @Test
    void closingTheServerCancelsRunningStreamsWithAnErrorEvent() throws Exception {
        ApiHarness api = new ApiHarness();
        api.engine.endless = true;
        api.engine.tokenDelayMillis = 2;
        try (RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM)) {
            raw.nextChunk();
            raw.nextChunk();
            Thread closer = Thread.ofVirtual().start(api::close);
            String chunk;
            do {
                chunk = raw.nextChunk();
            } while (chunk.contains("\"delta\""));
            assertTrue(chunk.startsWith("data: {\"error\""), chunk);
            JsonNode err = ApiHarness.json(chunk.substring(6).strip()).get("error");
            assertEquals("shutting_down", err.get("code").asText());
            assertEquals("", raw.nextChunk(), "the stream ends without [DONE]");
            assertNotNull(api.engine.awaitCancel(ApiHarness.TIMEOUT));
            closer.join(ApiHarness.TIMEOUT);
            assertFalse(closer.isAlive());
        }
    }
}
