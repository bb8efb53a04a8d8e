package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that sends {@code Connection: close} gets the whole response and then the end of the
 * stream (Helidon 4.5.0 alone keeps the socket open: helidon-io/helidon#12324); a client that
 * does not keeps its connection for the next request.
 */
class ConnectionCloseTest {

    private static final String CLOSE = "Connection: close\r\n";
    private static final String CHAT = """
            {"seed": 3, "messages": [{"role": "user", "content": "count"}]}""";
    private static final String STREAM = """
            {"seed": 3, "stream": true, "messages": [{"role": "user", "content": "count"}]}""";

    @Test
    void streamedAnswerEndsWithTheConnection() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", STREAM, CLOSE)) {
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            String rest = raw.readToEnd(); // a SocketTimeoutException here: the server kept the connection
            assertTrue(rest.contains("data: [DONE]\n\n") && rest.endsWith("0\r\n\r\n"), rest);
        }
    }

    @Test
    void wholeAnswerEndsWithTheConnection() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", CHAT, CLOSE)) {
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            assertTrue(raw.headers.contains("connection: close"), raw.headers);
            assertTrue(raw.readToEnd().contains("\"finish_reason\""));
        }
    }

    @Test
    void errorAnswersEndWithTheConnectionToo() throws Exception {
        try (ApiHarness api = new ApiHarness()) {
            try (RawHttp raw = new RawHttp(api.server.port()).get("/nowhere", "Connection: Close\r\n")) {
                assertEquals("HTTP/1.1 404 Not Found", raw.statusLine);
                assertTrue(raw.readToEnd().contains("\"error\""));
            }
            try (RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", "{not json", "Connection: keep-alive, close\r\n")) {
                assertEquals("HTTP/1.1 400 Bad Request", raw.statusLine);
                assertTrue(raw.readToEnd().contains("\"error\""));
            }
        }
    }

    @Test
    void aRefusedKeyEndsWithTheConnectionToo() throws Exception {
        try (ApiHarness api = new ApiHarness(ServerConfig.defaults().withPort(0).withApiKey("sk-right"));
             RawHttp raw = new RawHttp(api.server.port()).post("/v1/chat/completions", CHAT, "Authorization: Bearer sk-wrong\r\n" + CLOSE)) {
            assertEquals("HTTP/1.1 401 Unauthorized", raw.statusLine);
            assertTrue(raw.readToEnd().contains("\"error\""));
        }
    }

    @Test
    void withoutCloseTheConnectionServesTheNextRequest() throws Exception {
        try (ApiHarness api = new ApiHarness(); RawHttp raw = new RawHttp(api.server.port()).get("/health", "")) {
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            String first = raw.body();
            assertTrue(first.contains("ok"), first);
            raw.get("/health", CLOSE);
            assertEquals("HTTP/1.1 200 OK", raw.statusLine);
            assertTrue(raw.readToEnd().contains("ok"));
        }
    }

    @Test
    void closeIsAnyTokenOfAnyConnectionHeaderInAnyCase() {
        assertTrue(ConnectionCloseFilter.wantsClose(List.of("close")));
        assertTrue(ConnectionCloseFilter.wantsClose(List.of("Keep-Alive, CLOSE")));
        assertTrue(ConnectionCloseFilter.wantsClose(List.of("keep-alive", " close ")));
        assertFalse(ConnectionCloseFilter.wantsClose(List.of()));
        assertFalse(ConnectionCloseFilter.wantsClose(List.of("keep-alive")));
        assertFalse(ConnectionCloseFilter.wantsClose(List.of("closed, upgrade")));
    }
}
