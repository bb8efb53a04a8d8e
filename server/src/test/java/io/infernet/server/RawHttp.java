package io.infernet.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A raw HTTP/1.1 client over a socket for what {@link java.net.http.HttpClient} hides: chunk
 * boundaries and closing the connection mid-response. Reads a chunked response one chunk at a time.
 */
final class RawHttp implements AutoCloseable {

    final Socket socket;
    private final InputStream in;
    String statusLine;
    String headers;

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) ApiHarness.TIMEOUT.toMillis());
        in = socket.getInputStream();
    }

    /** Sends a POST with a JSON body and reads the status line and headers. */
    RawHttp post(String path, String json) throws IOException {
        return post(path, json, "");
    }

    /** Sends a POST with a JSON body and {@code extraHeaders} (each line ending in CRLF), then reads the status line and headers. */
    RawHttp post(String path, String json, String extraHeaders) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n" + extraHeaders + "\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
        return readHead();
    }

    /** Sends a GET with {@code extraHeaders} (each line ending in CRLF), then reads the status line and headers. */
    RawHttp get(String path, String extraHeaders) throws IOException {
        String head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readHead();
    }

    /**
     * Everything that follows until the server closes the connection; fails with a
     * {@link java.net.SocketTimeoutException} when it keeps the connection open.
     */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A body framed by {@code Content-Length} (read exactly, leaving the connection usable). */
    String body() throws IOException {
        for (String h : headers.split("\n")) {
            if (h.startsWith("content-length:")) {
                int n = Integer.parseInt(h.substring("content-length:".length()).strip());
                return new String(in.readNBytes(n), StandardCharsets.UTF_8);
            }
        }
        throw new IOException("no content-length in " + headers);
    }

    private RawHttp readHead() throws IOException {
        statusLine = line();
        StringBuilder h = new StringBuilder();
        for (String l = line(); !l.isEmpty(); l = line()) {
            h.append(l.toLowerCase(Locale.ROOT)).append('\n');
        }
        headers = h.toString();
        return this;
    }

    /** The next chunk's data as text; "" for the terminating chunk. */
    String nextChunk() throws IOException {
        String sizeLine = line();
        int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
        byte[] data = in.readNBytes(size);
        if (data.length != size) {
            throw new IOException("connection closed inside a chunk");
        }
        String crlf = line();
        if (!crlf.isEmpty()) {
            throw new IOException("chunk not followed by CRLF: " + crlf);
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("connection closed");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
