package io.infernet.engines.remote;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny HTTP/1.1 server on loopback that replays scripted answers, written on raw sockets so
 * a test controls every byte: chunked streams with pauses, a connection cut mid-stream (as a
 * crashed server leaves it), a stream held open, and it notices when the client goes away.
 * One request per connection ({@code Connection: close}).
 */
public final class LoopbackServer implements AutoCloseable {

    /** A request as received. */
    public record Request(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One step of a streamed answer. */
    public sealed interface Part {}

    /** Writes {@code text} and a newline as one chunk, flushed. */
    public record Line(String text) implements Part {}

    /** Waits. */
    public record Pause(long millis) implements Part {}

    /** Drops the connection without the final chunk, as a crashed server does. */
    public record Cut() implements Part {}

    /** Writes {@code filler} and a newline every 20 ms until the client goes away (or 30 s pass). */
    public record HoldOpen(String filler) implements Part {
        /** An SSE comment, which carries nothing. */
        public static HoldOpen sse() {
            return new HoldOpen(":");
        }

        /** An empty NDJSON line. */
        public static HoldOpen ndjson() {
            return new HoldOpen("");
        }
    }

    /** An answer: status, headers, and either a fixed body or streamed parts. */
    public record Reply(int status, Map<String, String> headers, String body, List<Part> parts) {
        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body, null);
        }

        public static Reply stream(String contentType, List<Part> parts) {
            return new Reply(200, Map.of("Content-Type", contentType), null, parts);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, parts);
        }
    }

    /** The lines of a fixture, each followed by a pause; SSE fixtures keep their blank lines. */
    public static List<Part> lines(String text, long pauseMillis) {
        List<Part> parts = new ArrayList<>();
        for (String l : text.split("\n", -1)) {
            parts.add(new Line(l));
            if (pauseMillis > 0) {
                parts.add(new Pause(pauseMillis));
            }
        }
        return parts;
    }

    private final ServerSocket socket;
    private final Function<Request, Reply> script;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final CountDownLatch disconnected = new CountDownLatch(1);

    public LoopbackServer(Function<Request, Reply> script) throws IOException {
        this.script = script;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("loopback-accept").start(this::accept);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public Endpoint endpoint() {
        return Endpoint.parse("http://127.0.0.1:" + port(), port(), null);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many streams the client abandoned (a write failed). */
    public int disconnects() {
        return disconnects.get();
    }

    /** Counts down when a client abandons a stream. */
    public CountDownLatch disconnected() {
        return disconnected;
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            Request req = read(in);
            if (req == null) {
                return;
            }
            requests.add(req);
            Reply reply = script.apply(req);
            OutputStream out = s.getOutputStream();
            StringBuilder head = new StringBuilder("HTTP/1.1 " + reply.status() + " X\r\nConnection: close\r\n");
            reply.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (reply.parts() == null) {
                byte[] b = reply.body().getBytes(StandardCharsets.UTF_8);
                head.append("Content-Length: ").append(b.length).append("\r\n\r\n");
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                out.write(b);
                out.flush();
                return;
            }
            head.append("Transfer-Encoding: chunked\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (Part p : reply.parts()) {
                switch (p) {
                    case Line l -> chunk(out, (l.text() + "\n").getBytes(StandardCharsets.UTF_8));
                    case Pause pause -> Thread.sleep(pause.millis());
                    case Cut c -> {
                        s.setSoLinger(true, 0); // reset, no final chunk
                        return;
                    }
                    case HoldOpen h -> {
                        long until = System.nanoTime() + 30_000_000_000L;
                        while (System.nanoTime() < until) {
                            chunk(out, (h.filler() + "\n").getBytes(StandardCharsets.UTF_8));
                            Thread.sleep(20);
                        }
                    }
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (SocketException e) {
            disconnects.incrementAndGet();
            disconnected.countDown();
        } catch (IOException e) {
            disconnects.incrementAndGet();
            disconnected.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void chunk(OutputStream out, byte[] b) throws IOException {
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static Request read(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] rl = requestLine.split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int c = h.indexOf(':');
            headers.put(h.substring(0, c).strip().toLowerCase(Locale.ROOT), h.substring(c + 1).strip());
        }
        int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(len), StandardCharsets.UTF_8);
        return new Request(rl[0], rl[1], headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
