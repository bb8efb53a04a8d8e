package io.infernet.engines.remote;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.util.Locale;

/**
 * Where a remote engine listens: an {@code http(s)://host:port[/prefix]} base and an optional
 * API key sent as {@code Authorization: Bearer}. The key never appears in {@link #toString()},
 * in logs or in error messages: only {@link #authorize} reads it.
 *
 * @param base   scheme, host, port and an optional path prefix, without a trailing slash
 * @param apiKey the bearer token, or null for none
 */
public record Endpoint(URI base, String apiKey) {

    public Endpoint {
        if (base == null || base.getScheme() == null || base.getHost() == null || base.getPort() < 0) {
            throw new IllegalArgumentException("an engine endpoint needs scheme, host and port, e.g. http://127.0.0.1:8000; got " + base);
        }
        String scheme = base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("an engine endpoint must be http or https, got " + base);
        }
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        String path = base.getPath() == null ? "" : base.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            base = new URI(scheme, null, base.getHost(), base.getPort(), path.isEmpty() ? null : path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a usable engine URL: " + base, e);
        }
    }

    /**
     * Parses what people write in {@code VLLM_HOST}, {@code OLLAMA_HOST} or {@code --engine-url}:
     * {@code http://h:p}, {@code h:p}, {@code h} or {@code :p}. A missing port is {@code defaultPort};
     * a missing scheme is http; {@code 0.0.0.0} (a listen address, as in {@code OLLAMA_HOST=0.0.0.0})
     * means this machine, 127.0.0.1.
     *
     * @throws IllegalArgumentException naming the text when it is not a URL
     */
    public static Endpoint parse(String text, int defaultPort, String apiKey) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty engine URL; write it as http://host:port");
        }
        String t = text.strip();
        if (!t.contains("://")) {
            t = "http://" + (t.startsWith(":") ? "127.0.0.1" + t : t);
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL; write it as http://host:port", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' has no host; write it as http://host:port");
        }
        String host = uri.getHost().equals("0.0.0.0") ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort;
        try {
            return new Endpoint(new URI(uri.getScheme(), null, host, port, uri.getPath(), null, null), apiKey);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL; write it as http://host:port", e);
        }
    }

    /** The URL of {@code path} (which starts with a slash) under the base. */
    public URI resolve(String path) {
        return URI.create(base + path);
    }

    public int port() {
        return base.getPort();
    }

    /** Adds the bearer header when there is a key. */
    public HttpRequest.Builder authorize(HttpRequest.Builder b) {
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
    }

    /**
     * Whether the host is this machine (loopback, the wildcard, or an address of a local
     * interface); resolving a name may block briefly, and an unknown name counts as remote.
     */
    public boolean isLocal() {
        try {
            InetAddress a = InetAddress.getByName(base.getHost());
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /** The URL only; the key, if any, shows as {@code (with API key)}. */
    @Override
    public String toString() {
        return base + (apiKey == null ? "" : " (with API key)");
    }
}
