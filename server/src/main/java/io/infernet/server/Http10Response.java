package io.infernet.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The connection's writer: passes Helidon's HTTP/1.1 responses through unchanged until
 * {@link #http10()} is set, then makes each response one an HTTP/1.0 client reads: status line
 * {@code HTTP/1.0}, {@code Connection: close}, no {@code Transfer-Encoding}; a chunked body is
 * un-chunked and ends when the connection closes (1.0 has no chunks); 1xx interim responses are
 * dropped. Used by the connection's thread only (Helidon writes a response from the thread
 * that handles it).
 */
final class Http10Response implements DataWriter {

    private enum State { HEAD, PLAIN, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, DONE }

    private final DataWriter out;
    private volatile boolean http10;
    private State state = State.HEAD;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final StringBuilder line = new StringBuilder();
    private long chunkLeft;
    /** The last four bytes of the head read so far, to find its end. */
    private int lastFour;
    private static final int CRLF_CRLF = 0x0d0a0d0a;

    Http10Response(DataWriter out) {
        this.out = out;
    }

    /** From now on, responses are rewritten for an HTTP/1.0 client. */
    void http10() {
        http10 = true;
    }

    boolean isHttp10() {
        return http10;
    }

    @Override
    public void write(BufferData... buffers) {
        for (BufferData b : buffers) {
            write(b);
        }
    }

    @Override
    public void write(BufferData buffer) {
        if (!http10) {
            out.write(buffer);
            return;
        }
        byte[] bytes = transform(buffer.readBytes());
        if (bytes.length > 0) {
            out.write(BufferData.create(bytes));
        }
    }

    @Override
    public void writeNow(BufferData... buffers) {
        for (BufferData b : buffers) {
            writeNow(b);
        }
    }

    @Override
    public void writeNow(BufferData buffer) {
        if (!http10) {
            out.writeNow(buffer);
            return;
        }
        byte[] bytes = transform(buffer.readBytes());
        if (bytes.length > 0) {
            out.writeNow(BufferData.create(bytes));
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }

    /** What the 1.0 client receives for {@code in}, the next bytes of Helidon's 1.1 responses. */
    byte[] transform(byte[] in) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(in.length + 64);
        int i = 0;
        while (i < in.length) {
            switch (state) {
                case HEAD -> {
                    byte b = in[i++];
                    head.write(b);
                    lastFour = (lastFour << 8) | (b & 0xff);
                    if (lastFour == CRLF_CRLF) {
                        lastFour = 0;
                        byte[] h = head.toByteArray();
                        head.reset();
                        rewriteHead(h, o);
                    }
                }
                case PLAIN -> {
                    o.write(in, i, in.length - i);
                    i = in.length;
                }
                case CHUNK_SIZE, CHUNK_END, TRAILERS -> {
                    char c = (char) (in[i++] & 0xff);
                    if (c != '\n') {
                        if (c != '\r') {
                            line.append(c);
                        }
                        continue;
                    }
                    String l = line.toString();
                    line.setLength(0);
                    state = switch (state) {
                        case CHUNK_SIZE -> {
                            int semi = l.indexOf(';');
                            chunkLeft = Long.parseLong((semi < 0 ? l : l.substring(0, semi)).strip(), 16);
                            yield chunkLeft == 0 ? State.TRAILERS : State.CHUNK_DATA;
                        }
                        case CHUNK_END -> State.CHUNK_SIZE;
                        default -> l.isEmpty() ? State.DONE : State.TRAILERS;
                    };
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkLeft, in.length - i);
                    o.write(in, i, n);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case DONE -> i = in.length; // 1.0: one response per connection; nothing follows it
            }
        }
        return o.toByteArray();
    }

    private void rewriteHead(byte[] h, ByteArrayOutputStream o) {
        String[] lines = new String(h, StandardCharsets.ISO_8859_1).split("\r\n");
        String status = lines[0];
        if (status.startsWith("HTTP/1.1 1")) {
            return; // an interim response (100 Continue): a 1.0 client does not expect one
        }
        StringBuilder sb = new StringBuilder(h.length + 32);
        sb.append("HTTP/1.0").append(status.substring("HTTP/1.1".length())).append("\r\n");
        boolean chunked = false;
        for (int k = 1; k < lines.length; k++) {
            String l = lines[k];
            int colon = l.indexOf(':');
            String name = colon < 0 ? "" : l.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (name.equals("transfer-encoding")) {
                chunked |= l.substring(colon + 1).toLowerCase(Locale.ROOT).contains("chunked");
                continue;
            }
            if (name.equals("connection") || name.equals("keep-alive") || l.isEmpty()) {
                continue;
            }
            sb.append(l).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        o.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        state = chunked ? State.CHUNK_SIZE : State.PLAIN;
    }
}
