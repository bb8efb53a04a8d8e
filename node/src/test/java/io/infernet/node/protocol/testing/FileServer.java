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
 * bytes and drop the connection; {@link #ignoreRanges} answers 200 to range requests.
 */
public final class FileServer implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> rangeHeaders = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile long cutAfter = -1;
    public volatile boolean ignoreRanges;

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

    /** The next answer sends only {@code bytes} body bytes, then drops the connection. */
    public void cutAfter(long bytes) {
        cutAfter = bytes;
    }

    /** Range headers received, in order ("" for requests without one). */
    public List<String> rangeHeaders() {
        return List.copyOf(rangeHeaders);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] content = files.get(ex.getRequestURI().getPath());
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
            cutAfter = -1;
            OutputStream os = ex.getResponseBody();
            if (cut >= 0 && cut < len) {
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
