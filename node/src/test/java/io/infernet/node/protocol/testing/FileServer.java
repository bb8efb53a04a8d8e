package io.infernet.node.protocol.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback file server for download tests: serves byte arrays by path with HTTP Range
 * support; {@link #cutAfter} makes the next full or partial answer stop after that many body
 * bytes and drop the connection; {@link #ignoreRanges} answers 200 to range requests;
 * {@link #redirect} answers a path with a redirect; {@link #requireBearer} answers 401 under a
 * path prefix without that token; every request's headers are recorded ({@link #requests}).
 */
public final class FileServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> rangeHeaders = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile long cutAfter = -1;
    public volatile boolean ignoreRanges;
    private final Map<String, String[]> redirects = new ConcurrentHashMap<>();
    private final Map<String, String> bearers = new ConcurrentHashMap<>();
    private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A request as received: path, Authorization and Accept headers (null when absent). */
    public record Seen(String path, String authorization, String accept) {}

    public FileServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public void put(String path, byte[] content) {
        files.put(path, content);
    }

    /** The next answer longer than {@code bytes} sends only that many body bytes, then drops the connection. */
    public void cutAfter(long bytes) {
        cutAfter = bytes;
    }

    /** Answers {@code path} with {@code status} and Location {@code location}. */
    public void redirect(String path, int status, String location) {
        redirects.put(path, new String[] {Integer.toString(status), location});
    }

    /** Answers 401 under {@code pathPrefix} unless the request carries {@code Authorization: Bearer token}. */
    public void requireBearer(String pathPrefix, String token) {
        bearers.put(pathPrefix, token);
    }

    /** The requests received, in order. */
    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** The root URL on the host name {@code localhost} (another host than 127.0.0.1 for clients). */
    public String urlOnLocalhost(String path) {
        return "http://localhost:" + server.getAddress().getPort() + path;
    }

    /** Range headers received, in order ("" for requests without one). */
    public List<String> rangeHeaders() {
        return List.copyOf(rangeHeaders);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            seen.add(new Seen(path, ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Accept")));
            String[] to = redirects.get(path);
            if (to != null) {
                ex.getResponseHeaders().set("Location", to[1]);
                ex.sendResponseHeaders(Integer.parseInt(to[0]), -1);
                return;
            }
            for (var b : bearers.entrySet()) {
                if (path.startsWith(b.getKey()) && !("Bearer " + b.getValue()).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
            }
            byte[] content = files.get(path);
            String range = ex.getRequestHeaders().getFirst("Range");
            rangeHeaders.add(range == null ? "" : range);
            if (content == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int from = 0;
            int status = 200;
            Matcher m = range == null || ignoreRanges ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                from = Integer.parseInt(m.group(1));
                if (from >= content.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            }
            int len = content.length - from;
            ex.sendResponseHeaders(status, len);
            long cut = cutAfter;
            OutputStream os = ex.getResponseBody();
            if (cut >= 0 && cut < len) {
                cutAfter = -1;
                os.write(content, from, (int) cut);
                os.flush();
                // Closing short of Content-Length makes the server drop the connection.
                try {
                    os.close();
                } catch (IOException expected) {
                    // "insufficient bytes written"
                }
                return;
            }
            os.write(content, from, len);
            os.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
