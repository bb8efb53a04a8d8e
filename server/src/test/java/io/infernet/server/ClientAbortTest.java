package io.infernet.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * Clients that go away: aborted uploads are counted as client_closed and logged quietly, not
 * as 500s with stack traces; a non-streamed request whose client leaves is cancelled at once.
 */
class ClientAbortTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aHundredAbortedUploadsAreClientClosedNotServerErrors() throws Exception {
        List<LogRecord> loud;
        try (LogCapture capture = new LogCapture(Level.INFO); ApiHarness api = new ApiHarness()) {
            loud = capture.records; // an abort may be logged at DEBUG only: nothing at INFO with a trace, nothing at WARNING
            for (int i = 0; i < 100; i++) {
                try (RawSocket s = new RawSocket(api.server.port())) {
                    s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                            + "{\"messages\": [" + "{}, ".repeat(250));
                } // closed mid-body
            }
            await("100 aborted uploads to be counted").atMost(WAIT)
                    .until(() -> api.get("/metrics").body().contains("route=\"/v1/chat/completions\",status=\"client_closed\"} 100"));
            String metrics = api.get("/metrics").body();
            assertFalse(metrics.contains("status=\"500\""), metrics);
            assertTrue(api.engine.requests.isEmpty());
            assertEquals(200, api.get("/health").statusCode());
        }
        List<String> texts = loud.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() != null)
                .map(LogCapture::text).toList();
        assertTrue(texts.isEmpty(), "aborted uploads were logged as warnings or with stack traces: " + texts);
    }

    @Test
    void aNonStreamedRequestIsCancelledWhenItsClientLeaves() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            api.engine.endless = true;
            api.engine.tokenDelayMillis = 5;
            cancelledWhenTheClientLeaves(api, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"go on forever\"}]}");
            cancelledWhenTheClientLeaves(api, "/v1/responses", "{\"input\": \"go on forever\"}");
        }
    }

    private static void cancelledWhenTheClientLeaves(ApiHarness api, String path, String body) throws Exception {
        try (RawSocket s = new RawSocket(api.server.port())) {
            s.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            await("the generation of " + path + " to start").atMost(WAIT).until(() -> api.engine.running.get() == 1);
        } // the client gives up
        assertNotNull(api.engine.awaitCancel(WAIT), "the engine saw no cancel of " + path);
        await("the generation of " + path + " to end").atMost(WAIT).until(() -> api.engine.running.get() == 0);
        await("the request to " + path + " to be counted").atMost(WAIT)
                .until(() -> api.get("/metrics").body().contains("route=\"" + path + "\",status=\"client_closed\"} 1"));
    }

    @Test
    void aNonStreamedAnswerStillReachesAClientThatStays() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            api.engine.tokenDelayMillis = 20;
            String chat = "{\"seed\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}";
            for (int i = 0; i < 3; i++) { // on one kept-alive connection: the watch's read-ahead hands its bytes on
                assertEquals(200, api.post("/v1/chat/completions", chat).statusCode());
            }
            try (RawHttp raw = new RawHttp(api.server.port())) {
                raw.post("/v1/chat/completions", chat);
                assertEquals("HTTP/1.1 200 OK", raw.statusLine);
                raw.body();
                raw.post("/v1/chat/completions", chat, "Connection: close\r\n");
                assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            }
            assertEquals(null, api.engine.awaitCancel(Duration.ofMillis(200)), "nothing was cancelled");
        }
    }
}
