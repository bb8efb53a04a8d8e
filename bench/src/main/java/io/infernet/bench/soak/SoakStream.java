package io.infernet.bench.soak;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One streamed chat request of the soak on a socket of its own, read event by event, and either
 * read to its end or dropped after {@code abortAfterEvents} events (0: right after sending,
 * before the answer's head).
 */
final class SoakStream {

    /** How it ended: {@code ok} (finish_reason then [DONE]), {@code aborted} (by us, as planned), or what went wrong. */
    record Outcome(String kind, int events, String detail) {
        boolean ok() {
            return kind.equals("ok");
        }
    }

    private SoakStream() {}

    /** @param abortAfterEvents events to read before closing the socket, or -1 to read the whole answer */
    static Outcome run(String host, int port, String body, int abortAfterEvents, int timeoutMillis) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(timeoutMillis);
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.length + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(json);
            s.getOutputStream().flush();
            if (abortAfterEvents == 0) {
                return new Outcome("aborted", 0, "closed before the answer");
            }
            InputStream in = new BufferedInputStream(s.getInputStream());
            String status = line(in);
            if (!status.startsWith("HTTP/1.1 200")) {
                return new Outcome("http-error", 0, status);
            }
            boolean chunked = false;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                chunked |= h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding: chunked");
            }
            if (!chunked) {
                return new Outcome("not-chunked", 0, status);
            }
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            int events = 0;
            boolean finished = false;
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
                if (size == 0) {
                    return new Outcome("cut-short", events, "the stream ended without [DONE]");
                }
                pending.write(in.readNBytes(size));
                line(in);
                String text = pending.toString(StandardCharsets.UTF_8);
                int end;
                while ((end = text.indexOf("\n\n")) >= 0) {
                    String event = text.substring(0, end);
                    text = text.substring(end + 2);
                    if (event.startsWith(":")) {
                        continue; // keep-alive comment
                    }
                    events++;
                    if (event.equals("data: [DONE]")) {
                        return finished ? new Outcome("ok", events, "") : new Outcome("no-finish", events, "[DONE] without a finish_reason");
                    }
                    if (event.startsWith("data: {\"error\"")) {
                        return new Outcome("error-event", events, event);
                    }
                    finished |= event.contains("\"finish_reason\":\"stop\"") || event.contains("\"finish_reason\":\"length\"");
                    if (events == abortAfterEvents) {
                        return new Outcome("aborted", events, "closed mid-stream");
                    }
                }
                pending.reset();
                pending.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            return new Outcome("io-error", 0, e.toString());
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("the server closed the connection");
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
