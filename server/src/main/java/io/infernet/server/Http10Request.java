package io.infernet.server;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.0 request head made into one Helidon 4.5.0 parses: it reads only HTTP/1.1 and
 * answers 1.0 with 505, and that cannot be configured. nginx's default {@code proxy_pass}
 * speaks 1.0, so its requests are rewritten here and their responses by {@link Http10Response}.
 * Bytes are handled as ISO-8859-1, so every byte of the head passes through unchanged.
 */
final class Http10Request {

    private static final byte[] VERSION_1_0 = " HTTP/1.0\r".getBytes(StandardCharsets.US_ASCII);

    private Http10Request() {}

    /** Index of the first LF in {@code b[0, len)}, or -1. */
    static int lineEnd(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Whether the line ending at the LF at {@code lf} ends in {@code " HTTP/1.0\r"}. */
    static boolean isHttp10(byte[] b, int lf) {
        return lineEndsWith(b, lf, VERSION_1_0);
    }

    /** Whether the bytes just before index {@code lf} are {@code suffix}. */
    static boolean lineEndsWith(byte[] b, int lf, byte[] suffix) {
        int from = lf - suffix.length;
        if (from < 0) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (b[from + i] != suffix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Index just past the head's blank line (CRLF CRLF) in {@code b[0, len)}, or -1. */
    static int headEnd(byte[] b, int len) {
        for (int i = 3; i < len; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * The head (request line to blank line, inclusive) as HTTP/1.1: the version changed,
     * {@code Connection: close} in place of any {@code Connection} and {@code Keep-Alive}
     * headers (the connection closes after one response, as 1.0 expects), and a {@code Host}
     * header when the client sent none (1.1 requires one).
     *
     * @param host the value for a missing Host header, e.g. the address the client connected to
     */
    static byte[] rewrite(byte[] head, String host) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 48);
        String requestLine = lines[0];
        out.append(requestLine, 0, requestLine.length() - "1.0".length()).append("1.1\r\n");
        boolean hasHost = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break; // the blank line that ends the head
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (name.equals("connection") || name.equals("keep-alive")) {
                continue;
            }
            hasHost |= name.equals("host");
            out.append(line).append("\r\n");
        }
        if (!hasHost) {
            out.append("Host: ").append(host).append("\r\n");
        }
        out.append("Connection: close\r\n\r\n");
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
