package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeanHttpTest {

    @Test
    void chunkedBodiesAreDechunkedWithExtensionsAndTrailers() throws Exception {
        String wire = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\nNEXT";
        ByteArrayInputStream in = new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello, world", new String(new LeanHttp.Chunked(in).readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals("NEXT", new String(in.readAllBytes(), StandardCharsets.US_ASCII), "reading stops at the end of the body");
        InputStream cut = new LeanHttp.Chunked(new ByteArrayInputStream("5\r\nhel".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IOException.class, cut::readAllBytes);
        InputStream noCrlf = new LeanHttp.Chunked(new ByteArrayInputStream("2\r\nhiXX0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IOException.class, noCrlf::readAllBytes);
    }

    @Test
    void keepAliveConnectionsAreReusedAndCloseIsHonoured() throws Exception {
        List<Integer> connections = new ArrayList<>();
        try (FakeServer s = new FakeServer((conn, n) -> {
            connections.add(conn);
            String body = "{\"n\":" + n + "}";
            String close = n == 2 ? "Connection: close\r\n" : "";
            return "HTTP/1.1 200 OK\r\n" + close + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        })) {
            LeanHttp http = new LeanHttp(s.base(), Duration.ofSeconds(5));
            for (int i = 1; i <= 4; i++) {
                try (LeanHttp.Response r = http.post("/x", "{}".getBytes(StandardCharsets.UTF_8), "application/json")) {
                    assertEquals(200, r.status);
                    assertEquals("{\"n\":" + i + "}", new String(r.body.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        // requests 1 and 2 share a connection; 2 said close, so 3 and 4 share a new one
        assertEquals(List.of(1, 1, 2, 2), connections);
    }

    @Test
    void aPooledConnectionTheServerClosedIsReplacedOnce() throws Exception {
        try (FakeServer s = new FakeServer((conn, n) -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")) {
            s.closeAfterEachResponse = true; // without saying so
            LeanHttp http = new LeanHttp(s.base(), Duration.ofSeconds(5));
            for (int i = 0; i < 3; i++) {
                try (LeanHttp.Response r = http.post("/x", new byte[0], "*/*")) {
                    assertEquals("ok", new String(r.body.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** A loopback server that reads one request head (and a Content-Length body) per answer. */
    private static final class FakeServer implements AutoCloseable {
        interface Answer {
            String answer(int connection, int request);
        }

        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread thread;
        volatile boolean closeAfterEachResponse;
        volatile Socket current;

        FakeServer(Answer answer) throws IOException {
            AtomicInteger requests = new AtomicInteger();
            AtomicInteger connections = new AtomicInteger();
            thread = Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket c = socket.accept()) {
                        current = c;
                        int conn = connections.incrementAndGet();
                        InputStream in = c.getInputStream();
                        OutputStream out = c.getOutputStream();
                        while (true) {
                            int length = 0;
                            String line;
                            boolean any = false;
                            while (!(line = LeanHttp.line(in, false)).isEmpty()) {
                                any = true;
                                if (line.toLowerCase().startsWith("content-length:")) {
                                    length = Integer.parseInt(line.substring(15).strip());
                                }
                            }
                            if (!any) {
                                break;
                            }
                            in.readNBytes(length);
                            out.write(answer.answer(conn, requests.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            if (closeAfterEachResponse) {
                                break;
                            }
                        }
                    } catch (IOException e) {
                        // the client went away, or the server is closing
                    }
                }
            });
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        @Override
        public void close() throws Exception {
            socket.close();
            Socket c = current;
            if (c != null) {
                c.close(); // a kept-alive connection the client still holds
            }
            thread.join(5000);
        }
    }
}
