package io.infernet.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow clients over raw sockets: a request head must arrive within its deadline of its first
 * byte however steadily it dribbles in (408, then closed); a body must keep a minimum rate;
 * idle kept-alive connections close. Deadlines here are 1-2 s so the tests take seconds.
 */
class DeadlinesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final EdgeConfig FAST = EdgeConfig.defaults().withDeadlines(DEADLINE, DEADLINE, 64 << 10, DEADLINE);
    /** Past a deadline: the watchdog's tick and a busy machine's scheduling. */
    private static final Duration SLACK = Duration.ofSeconds(4);

    private static final String SLOW_HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n";
    private static final String SLOW_BODY_HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100000\r\n\r\n{\"messages\": [";

    /** Writes {@code piece} every {@code every} until the socket fails (the server closed it). */
    private static Thread dribble(Socket s, String piece, Duration every) {
        return Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                while (true) {
                    out.write(piece.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(every);
                }
            } catch (IOException | InterruptedException e) {
                // closed: the server (or the test) is done with it
            }
        });
    }

    @Test
    void aHeadDribbledInStillGets408AtItsDeadline() throws Exception {
        try (ApiHarness api = new ApiHarness(FAST); RawSocket s = new RawSocket(api.server.port())) {
            long t0 = System.nanoTime();
            s.send(SLOW_HEAD);
            dribble(s.socket, "X-Slow: y\r\n", Duration.ofMillis(100)); // never idle for long, never done
            String answer = s.readUntilClosed(DEADLINE.plus(SLACK), "a slow head");
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout"), answer);
            assertTrue(answer.contains("\"code\":\"request_timeout\""), answer);
            assertTrue(took >= DEADLINE.toMillis() - 50, "closed after " + took + " ms, before the deadline");
        }
    }

    @Test
    void aBodyBelowTheMinimumRateIsClosedAndCountedAsTheClientsTimeout() throws Exception {
        try (ApiHarness api = new ApiHarness(FAST); RawSocket s = new RawSocket(api.server.port())) {
            s.send(SLOW_BODY_HEAD);
            dribble(s.socket, "1,", Duration.ofMillis(100));
            s.readUntilClosed(DEADLINE.plus(SLACK), "a slow body");
            await("the slow body to be counted").atMost(SLACK)
                    .until(() -> api.get("/metrics").body().contains("route=\"/v1/chat/completions\",status=\"client_timeout\"} 1"));
            assertEquals(0, api.engine.requests.size(), "nothing reached the engine");
        }
    }

    @Test
    void aSteadyUploadAboveTheMinimumRateIsNotCut() throws Exception {
        String content = "word".repeat(62_500); // 250 kB (one word to the fake engine): four times what the base deadline allows
        byte[] body = ("{\"seed\": 1, \"messages\": [{\"role\": \"user\", \"content\": \"" + content + "\"}]}").getBytes(StandardCharsets.UTF_8);
        try (ApiHarness api = new ApiHarness(FAST); RawSocket s = new RawSocket(api.server.port())) {
            s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            int piece = 25_000;
            for (int from = 0; from < body.length; from += piece) { // ~2 s in all: past the base deadline, above the rate
                s.send(java.util.Arrays.copyOfRange(body, from, Math.min(body.length, from + piece)));
                Thread.sleep(200);
            }
            String answer = s.readUntilClosed(ApiHarness.TIMEOUT, "the answer to a steady upload");
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosed() throws Exception {
        try (ApiHarness api = new ApiHarness(FAST); RawHttp raw = new RawHttp(api.server.port())) {
            raw.get("/health", "");
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            raw.body();
            long t0 = System.nanoTime();
            assertEquals("", raw.readToEnd(), "nothing more after the answer");
            long took = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(took < DEADLINE.plus(SLACK).toMillis(), "idle connection closed after " + took + " ms");
        }
    }

    @Test
    void aConnectionWhoseAnswerOutlastsTheIdleTimeoutIsKeptForTheNextRequest() throws Exception {
        try (ApiHarness api = new ApiHarness(FAST); RawHttp raw = new RawHttp(api.server.port())) {
            api.engine.scriptTokens = 10;
            api.engine.tokenDelayMillis = 300; // 3 s of generating: three idle timeouts
            String chat = "{\"seed\": 4, \"messages\": [{\"role\": \"user\", \"content\": \"slow\"}]}";
            raw.post("/v1/chat/completions", chat);
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            raw.body();
            api.engine.tokenDelayMillis = 0;
            raw.post("/v1/chat/completions", chat, "Connection: close\r\n"); // on the same connection
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
        }
    }

    /** The attack: 200 slow-head and 100 slow-body sockets; all closed within seconds, the API answering meanwhile. */
    @Test
    void threeHundredSlowSocketsAreAllClosedWithinSeconds() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        EdgeConfig cfg = EdgeConfig.defaults().withDeadlines(deadline, deadline, 64 << 10, Duration.ofSeconds(30));
        try (ApiHarness api = new ApiHarness(cfg)) {
            List<Socket> sockets = new ArrayList<>();
            ConcurrentLinkedQueue<Long> closedAfterMillis = new ConcurrentLinkedQueue<>();
            CountDownLatch allClosed = new CountDownLatch(300);
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket s = new Socket("127.0.0.1", api.server.port());
                    sockets.add(s);
                    boolean head = i < 200;
                    s.getOutputStream().write((head ? SLOW_HEAD : SLOW_BODY_HEAD).getBytes(StandardCharsets.US_ASCII));
                    dribble(s, head ? "X-Slow: y\r\n" : "1,", Duration.ofMillis(500));
                    Thread.ofVirtual().start(() -> {
                        try (InputStream in = s.getInputStream()) {
                            in.readAllBytes();
                        } catch (IOException e) {
                            // reset: closed as well
                        }
                        closedAfterMillis.add((System.nanoTime() - t0) / 1_000_000);
                        allClosed.countDown();
                    });
                }
                long healthStart = System.nanoTime();
                assertEquals(200, api.get("/health").statusCode());
                long healthMillis = (System.nanoTime() - healthStart) / 1_000_000;
                assertTrue(healthMillis < 2000, "/health took " + healthMillis + " ms with 300 slow sockets open");
                assertTrue(allClosed.await(deadline.plus(SLACK).plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS),
                        (300 - allClosed.getCount()) + " of 300 slow sockets closed within " + deadline.plus(SLACK).plusSeconds(2));
                long last = closedAfterMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
                assertTrue(last >= deadline.toMillis() - 50, "a socket closed before its deadline: " + last + " ms");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            // What is left open is the test's own HTTP client connection (kept alive in its pool).
            await("the edge to forget the closed connections").atMost(SLACK).until(() -> api.server.openConnections() <= 1);
        }
    }
}
