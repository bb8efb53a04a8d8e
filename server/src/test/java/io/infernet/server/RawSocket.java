package io.infernet.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A socket for requests no HTTP client sends: HTTP/1.0, bytes dribbled out, bodies cut short.
 * Reads are bounded by a deadline that names what was awaited.
 */
final class RawSocket implements AutoCloseable {

    final Socket socket;
    private final InputStream in;

    RawSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) ApiHarness.TIMEOUT.toMillis());
        in = socket.getInputStream();
    }

    RawSocket send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawSocket send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /**
     * Everything the server sends until it closes the connection, which it must do within
     * {@code within}; fails naming {@code what} otherwise.
     */
    String readUntilClosed(Duration within, String what) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the server did not close the connection within " + within + " (" + what + "); got so far: "
                        + out.toString(StandardCharsets.UTF_8));
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue; // the deadline check above fails with what was read
            } catch (java.net.SocketException e) {
                return out.toString(StandardCharsets.UTF_8); // reset by the server: closed too
            }
            if (n < 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(buf, 0, n);
        }
    }

    /** Whether the server has closed the connection now (end of stream or reset), waiting at most {@code wait}. */
    boolean closedWithin(Duration wait) throws IOException {
        try {
            readUntilClosed(wait, "probe");
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
