package io.infernet.bench.serving;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The load generator's HTTP/1.1 client: one blocking socket per request in flight, read on the
 * caller's thread, kept alive between requests. The JDK's {@link java.net.http.HttpClient} hands
 * every chunk from its selector thread to the reader, two thread wake-ups per streamed token; on
 * a 2-core machine those run on the cores the servers compute on, so the client weighed on what
 * it measured (seen here at 4 streams: time to first token p50 32-60 ms through it against 11-22
 * ms through a plain socket, for llama-server and ours alike). Both servers are driven by this
 * same client.
 *
 * <p>Speaks what the two servers answer: a status line, headers, and a body framed by
 * {@code Transfer-Encoding: chunked}, {@code Content-Length} or the end of the connection.
 * Thread-safe: connections come from a pool.
 */
final class LeanHttp {

    /** One response; its body must be read (or the response closed) before the next request on its connection. */
    static final class Response implements AutoCloseable {
        final int status;
        final InputStream body;
        private final Conn conn;
        private final LeanHttp owner;
        private final boolean keepAlive;

        private Response(int status, InputStream body, Conn conn, LeanHttp owner, boolean keepAlive) {
            this.status = status;
            this.body = body;
            this.conn = conn;
            this.owner = owner;
            this.keepAlive = keepAlive;
        }

        /** Reads what is left of the body and gives the connection back for reuse; closes it if that fails. */
        @Override
        public void close() {
            try {
                body.transferTo(OutputStream.nullOutputStream());
                if (keepAlive) {
                    owner.idle.offer(conn);
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // the connection is no use any more
            }
            conn.close();
        }
    }

    private record Conn(Socket socket, InputStream in, OutputStream out) {
        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private final String host;
    private final int port;
    private final int timeoutMs;
    private final ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();

    LeanHttp(URI base, Duration timeout) {
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : 80;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /**
     * Sends a POST with a JSON body and reads the status line and headers. A pooled connection
     * the server has closed meanwhile is replaced once by a new one.
     */
    Response post(String path, byte[] json, String accept) throws IOException {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: application/json\r\nAccept: " + accept
                + "\r\nContent-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + json.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(json, 0, request, head.length, json.length);
        Conn pooled = idle.poll();
        if (pooled != null) {
            try {
                return exchange(pooled, request, true);
            } catch (StaleConnection e) {
                pooled.close();
            }
        }
        Conn fresh = open();
        try {
            return exchange(fresh, request, false);
        } catch (StaleConnection e) {
            fresh.close();
            throw new IOException("the server closed the connection without answering");
        }
    }

    /** The connection ended before the first byte of a response. */
    private static final class StaleConnection extends IOException {
        StaleConnection() {
            super("closed before the response", null);
        }
    }

    /** @param pooled a kept-alive connection: failing before the first byte of the answer means the server closed it meanwhile */
    private Response exchange(Conn c, byte[] request, boolean pooled) throws IOException {
        try {
            String status;
            try {
                c.out.write(request);
                c.out.flush();
                status = line(c.in, true);
            } catch (java.net.SocketException e) {
                if (pooled) {
                    throw new StaleConnection(); // reset or broken pipe on a connection the server dropped
                }
                throw e;
            }
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + status);
            }
            int code = Integer.parseInt(parts[1]);
            boolean chunked = false;
            long length = -1;
            boolean keepAlive = parts[0].equals("HTTP/1.1");
            for (String h = line(c.in, false); !h.isEmpty(); h = line(c.in, false)) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "transfer-encoding" -> chunked = value.endsWith("chunked");
                    case "content-length" -> length = Long.parseLong(value);
                    case "connection" -> keepAlive = keepAlive && !value.contains("close") || value.contains("keep-alive");
                    default -> { }
                }
            }
            InputStream body = chunked ? new Chunked(c.in) : length >= 0 ? new Bounded(c.in, length) : c.in;
            return new Response(code, body, c, this, keepAlive && (chunked || length >= 0));
        } catch (StaleConnection e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e instanceof IOException io ? io : new IOException("malformed response: " + e.getMessage(), e);
        }
    }

    private Conn open() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), Math.min(timeoutMs, 10_000));
            s.setSoTimeout(timeoutMs);
            return new Conn(s, new BufferedInputStream(s.getInputStream(), 16 * 1024), s.getOutputStream());
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A CRLF- (or LF-) terminated line of ASCII; at the end of the stream before any byte of a status line: stale. */
    static String line(InputStream in, boolean statusLine) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 16 * 1024) {
                throw new IOException("a header line over 16 KiB");
            }
        }
        if (c == -1) {
            if (statusLine && b.size() == 0) {
                throw new StaleConnection();
            }
            throw new IOException("the connection ended inside the response head");
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** A body read in blocks; a single byte is a block of one. */
    private abstract static class Body extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }
    }

    /** A chunked body, de-chunked; ends after the last chunk and its trailers. */
    static final class Chunked extends Body {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in, false);
                int semi = size.indexOf(';');
                left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
                if (left == 0) {
                    while (!line(in, false).isEmpty()) {
                        // trailers
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n == -1) {
                throw new IOException("the connection ended inside a chunk");
            }
            left -= n;
            if (left == 0 && !line(in, false).isEmpty()) {
                throw new IOException("a chunk not followed by CRLF");
            }
            return n;
        }
    }

    /** A body of known length. */
    static final class Bounded extends Body {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n == -1) {
                throw new IOException("the connection ended " + left + " bytes before the end of the body");
            }
            left -= n;
            return n;
        }
    }
}
