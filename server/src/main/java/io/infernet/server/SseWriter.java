package io.infernet.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@code text/event-stream} answer in OpenAI's framing, {@code data: <json>\n\n} per
 * event and {@code data: [DONE]\n\n} at the end, flushing each event so it leaves at once
 * (one HTTP/1.1 chunk per event).
 *
 * <p>The status line and headers go out with the first event; until then the handler can still
 * answer with a plain error ({@link #started()}). A failed write means the client is gone and
 * surfaces as {@link ClientGoneException}. Used by one thread.
 */
public final class SseWriter {

    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The client closed the connection (or it broke) while we were writing to it. */
    public static final class ClientGoneException extends RuntimeException {
        ClientGoneException(Throwable cause) {
            super("the client closed the connection", cause, false, false);
        }
    }

    private final ServerResponse response;
    private OutputStream out;

    public SseWriter(ServerResponse response) {
        this.response = response;
    }

    public boolean started() {
        return out != null;
    }

    /** One event carrying {@code json}, written as one piece (one chunk, one flush). */
    public void data(byte[] json) {
        byte[] event = new byte[DATA.length + json.length + END.length];
        System.arraycopy(DATA, 0, event, 0, DATA.length);
        System.arraycopy(json, 0, event, DATA.length, json.length);
        System.arraycopy(END, 0, event, DATA.length + json.length, END.length);
        write(event);
    }

    /** One named event ({@code event: NAME}, then {@code data: <json>}), as the Responses API streams them. */
    void event(String name, byte[] json) {
        byte[] head = ("event: " + name + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] event = new byte[head.length + DATA.length + json.length + END.length];
        System.arraycopy(head, 0, event, 0, head.length);
        System.arraycopy(DATA, 0, event, head.length, DATA.length);
        System.arraycopy(json, 0, event, head.length + DATA.length, json.length);
        System.arraycopy(END, 0, event, head.length + DATA.length + json.length, END.length);
        write(event);
    }

    /** A comment line: ignored by SSE clients, but a write that fails when the client is gone. */
    public void keepAlive() {
        write(KEEP_ALIVE);
    }

    /** The {@code [DONE]} event, then the end of the response. */
    public void done() {
        write(DONE);
        close();
    }

    /** Ends the response (terminating chunk); a no-op if it never started. */
    public void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            throw new ClientGoneException(e);
        }
    }

    private void write(byte[]... parts) {
        try {
            if (out == null) {
                response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.header(HeaderNames.CACHE_CONTROL, "no-cache");
                response.header("X-Accel-Buffering", "no"); // proxies such as nginx: do not buffer
                out = response.outputStream();
            }
            for (byte[] p : parts) {
                out.write(p);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            // Helidon reports a broken connection as ServerConnectionException / UncheckedIOException.
            throw new ClientGoneException(e);
        }
    }
}
