package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.AuthEnvelope;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * The node side of the control plane's {@code /api/v1/node/*} API: every call a signed
 * {@code POST} with a compact JSON body; {@code {"data": ...}} answers return the data,
 * {@code {"error": msg}} answers throw {@link ControlPlaneException} with the status and the
 * server's message. Thread-safe.
 *
 * <p>Signing: the signed path is the route path ({@code /api/v1/node/...} and its query), without
 * the path prefix a base URL may have ({@code https://host/prefix}): the JS node signs the bare
 * route path (apps/cli/lib/node-client.js), since a prefix belongs to a proxy in front of the
 * control plane, which sees the bare path. A 307 or 308 answer is followed (at most
 * {@value #MAX_REDIRECTS} times; the reference 308-redirects {@code www.} hosts, and JS
 * {@code fetch} follows), each hop signed again for its own path; https never downgrades to http.
 *
 * <p>Retries: reads and writes that are safe to repeat ({@link #call}: register, heartbeat,
 * polls, payouts...) are retried on network errors, 5xx, 408 and 429 per the {@link RetryPolicy},
 * each attempt signed afresh (new nonce, new timestamp). Writes whose repetition would duplicate
 * something ({@link #send}: job events, job and command completions) carry an
 * {@value #IDEMPOTENCY_KEY} header and are retried only when the first attempt surely did not
 * land ({@link ControlPlaneException#mayHaveLanded()} false), or when the control plane honours
 * the key ({@link #honoursIdempotencyKeys()}), so that a retry never doubles what already landed.
 */
public final class ControlPlaneClient {

    public static final String PREFIX = "/api/v1/node/";
    public static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** The header this project's control plane honours on events and completions. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The same key under the name IPIP-0014 (a draft of the reference) gives it; sent too. */
    public static final String IDEMPOTENCY_KEY_IPIP = "X-Idempotency-Key";
    /** The answer header of a control plane that replayed a stored answer for a repeated key. */
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    public static final int MAX_REDIRECTS = 5;

    private static final System.Logger LOG = System.getLogger("infernet.protocol.client");

    /**
     * Whether the control plane honours {@value #IDEMPOTENCY_KEY}: {@code ON} and {@code OFF} as
     * configured ({@code controlPlane.idempotencyKeys}); {@code AUTO} until an answer shows it
     * (it echoes the key, or says {@value #IDEMPOTENT_REPLAYED}), which the reference's never does.
     */
    public enum Idempotency { AUTO, ON, OFF }

    /** What is known about the control plane, shared by the copies {@link #withRetry} makes. */
    private static final class Knowledge {
        final Idempotency mode;
        final AtomicBoolean keysSeenHonoured = new AtomicBoolean();
        final AtomicBoolean permanentRedirectLogged = new AtomicBoolean();

        Knowledge(Idempotency mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
        }
    }

    private final String base;
    private final String basePath;
    private final EnvelopeSigner signer;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Duration timeout;
    private final Knowledge knowledge;
    private final RandomGenerator random = RandomGenerator.getDefault();

    /**
     * @param baseUrl the control plane's root, e.g. {@code https://infernetprotocol.com}
     *                (a path prefix is kept; a trailing slash is dropped)
     */
    public ControlPlaneClient(String baseUrl, EnvelopeSigner signer, HttpClient http, RetryPolicy retry, Duration timeout) {
        this(checkBaseUrl(baseUrl), signer, http, retry, timeout, new Knowledge(Idempotency.AUTO));
    }

    private ControlPlaneClient(String base, EnvelopeSigner signer, HttpClient http, RetryPolicy retry, Duration timeout, Knowledge knowledge) {
        this.base = base;
        String path = URI.create(base).getRawPath();
        this.basePath = path == null ? "" : path;
        this.signer = Objects.requireNonNull(signer, "signer");
        this.http = Objects.requireNonNull(http, "http");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.knowledge = knowledge;
    }

    /** A client with its own HTTP/1.1 client, 15 s timeouts and the default retry policy. */
    public static ControlPlaneClient create(String baseUrl, EnvelopeSigner signer) {
        return new ControlPlaneClient(baseUrl, signer, defaultHttpClient(), RetryPolicy.DEFAULT, TIMEOUT);
    }

    public static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public String baseUrl() {
        return base;
    }

    /** The timeout of each request. */
    public Duration timeout() {
        return timeout;
    }

    public String publicKeyHex() {
        return signer.publicKeyHex();
    }

    /** The same client with another retry policy (the outbox sends with {@link RetryPolicy#NONE}). */
    public ControlPlaneClient withRetry(RetryPolicy policy) {
        return new ControlPlaneClient(base, signer, http, policy, timeout, knowledge);
    }

    /** A client (knowing nothing yet) that takes the control plane's idempotency as {@code mode} says. */
    public ControlPlaneClient withIdempotency(Idempotency mode) {
        return new ControlPlaneClient(base, signer, http, retry, timeout, new Knowledge(mode));
    }

    /** Whether a write whose answer was lost may be sent again with the same key (see the class comment). */
    public boolean honoursIdempotencyKeys() {
        return switch (knowledge.mode) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> knowledge.keysSeenHonoured.get();
        };
    }

    /** A fresh idempotency key: a random UUID. */
    public static String newIdempotencyKey() {
        return UUID.randomUUID().toString();
    }

    // ---- the twelve node routes ----

    public Registration register(ObjectNode body) {
        JsonNode d = call("register", body);
        return new Registration(d.get("id"), Json.text(d, "node_id"));
    }

    public JsonNode heartbeat(ObjectNode body) {
        return call("heartbeat", body);
    }

    /** The node's row, or null when the control plane has none ({@code {row: null}}). */
    public JsonNode me(String role) {
        JsonNode row = call("me", Json.object().put("role", role)).get("row");
        return row == null || row.isNull() ? null : row;
    }

    /** @param limit 1..25 */
    public JobPoll pollJobs(int limit) {
        return pollJobs(limit, -1);
    }

    /**
     * Polls jobs, asking a control plane that can to hold the answer up to {@code waitMs}
     * until a new job is assigned ({@code wait_ms} in the body; other control planes ignore it
     * and answer at once). The request timeout must exceed the wait.
     *
     * @param limit  1..25
     * @param waitMs 0.. (0: answer at once, but say whether long polls work); negative: not sent
     */
    public JobPoll pollJobs(int limit, long waitMs) {
        checkRange("limit", limit, 1, 25);
        ObjectNode body = Json.object().put("limit", limit);
        if (waitMs >= 0) {
            body.put("wait_ms", waitMs);
        }
        JsonNode d = call("jobs/poll", body);
        List<PolledJob> jobs = new ArrayList<>();
        JsonNode arr = d.get("jobs");
        if (arr != null && arr.isArray()) {
            arr.forEach(j -> jobs.add(PolledJob.from(j)));
        }
        return new JobPoll(d.get("provider_id"), jobs, waitMs >= 0 && d.path("long_poll").asBoolean(false));
    }

    /** Posts 1..200 events ({@code {event_type, data}}); returns how many were inserted. */
    public int postJobEvents(String jobId, ArrayNode events) {
        checkRange("events", events.size(), 1, 200);
        JsonNode d = send(jobEventsRoute(jobId), jobEventsBody(events), newIdempotencyKey());
        return d.path("inserted").asInt(events.size());
    }

    public JsonNode completeJob(String jobId, ObjectNode body) {
        return send(jobCompleteRoute(jobId), body, newIdempotencyKey());
    }

    /** @param limit 1..10 */
    public List<PolledCommand> pollCommands(int limit) {
        checkRange("limit", limit, 1, 10);
        JsonNode d = call("commands/poll", Json.object().put("limit", limit));
        List<PolledCommand> out = new ArrayList<>();
        JsonNode arr = d.get("commands");
        if (arr != null && arr.isArray()) {
            arr.forEach(c -> out.add(PolledCommand.from(c)));
        }
        return out;
    }

    public JsonNode completeCommand(String commandId, ObjectNode body) {
        return send(commandCompleteRoute(commandId), body, newIdempotencyKey());
    }

    /** Sets the payout address for a coin (it becomes the default); returns the row. */
    public JsonNode setPayout(String coin, String network, String address) {
        ObjectNode body = Json.object().put("coin", coin).put("network", network).put("address", address);
        return call("payouts/set", body).get("row");
    }

    public JsonNode listPayouts() {
        return rows(call("payouts/list", Json.object()));
    }

    /** @param limit 1..100; newest first */
    public JsonNode listPayments(String role, int limit) {
        checkRange("limit", limit, 1, 100);
        return rows(call("payments/list", Json.object().put("role", role).put("limit", limit)));
    }

    /** Deletes the node's row; returns {@code {deleted, id?}}. */
    public JsonNode remove(String role) {
        return call("remove", Json.object().put("role", role));
    }

    public static String jobEventsRoute(String jobId) {
        return "jobs/" + segment(jobId) + "/events";
    }

    public static String jobCompleteRoute(String jobId) {
        return "jobs/" + segment(jobId) + "/complete";
    }

    public static String commandCompleteRoute(String commandId) {
        return "commands/" + segment(commandId) + "/complete";
    }

    /** {@code commands/{id}/progress}: install progress (this node's addition; the reference has no such route). */
    public static String commandProgressRoute(String commandId) {
        return "commands/" + segment(commandId) + "/progress";
    }

    public static ObjectNode jobEventsBody(ArrayNode events) {
        ObjectNode body = Json.object();
        body.set("events", events);
        return body;
    }

    // ---- transport ----

    /**
     * Calls {@code route} (relative to {@code /api/v1/node/}), which must be safe to repeat,
     * with retries; returns {@code data}.
     */
    public JsonNode call(String route, ObjectNode body) {
        return withRetries(route, body, null);
    }

    /**
     * Sends a write that must not be carried out twice, with {@code idempotencyKey} in the
     * {@value #IDEMPOTENCY_KEY} and {@value #IDEMPOTENCY_KEY_IPIP} headers; retried only where
     * {@link #mayResend} allows. Returns {@code data}.
     *
     * @param idempotencyKey the same for every attempt of this write, including later ones from an outbox
     */
    public JsonNode send(String route, ObjectNode body, String idempotencyKey) {
        return withRetries(route, body, Objects.requireNonNull(idempotencyKey, "idempotencyKey"));
    }

    /**
     * Whether a write that failed with {@code e} may be sent again: it failed in a way worth
     * retrying, and either surely did not land or the control plane honours its key.
     */
    public boolean mayResend(ControlPlaneException e) {
        return e.retryable() && (!e.mayHaveLanded() || honoursIdempotencyKeys());
    }

    private JsonNode withRetries(String route, ObjectNode body, String key) {
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange(route, body, key);
            } catch (ControlPlaneException e) {
                boolean again = key == null ? e.retryable() : mayResend(e);
                if (!again || attempt >= retry.maxAttempts()) {
                    throw e;
                }
                Duration pause = retry.delayBefore(attempt, random);
                LOG.log(System.Logger.Level.DEBUG, "retrying {0} in {1} ms after: {2}", route, pause.toMillis(), e.getMessage());
                sleep(pause, route);
            }
        }
    }

    /** One signed attempt of a call that is safe to repeat, no retry. */
    public JsonNode callOnce(String route, ObjectNode body) {
        return exchange(route, body, null);
    }

    /** One signed attempt of a keyed write, no retry. */
    public JsonNode sendOnce(String route, ObjectNode body, String idempotencyKey) {
        return exchange(route, body, Objects.requireNonNull(idempotencyKey, "idempotencyKey"));
    }

    /** One attempt: the request, and the 307/308 redirects it is answered with. */
    private JsonNode exchange(String route, ObjectNode body, String key) {
        Map<String, String> headers = key == null ? Map.of() : Map.of(IDEMPOTENCY_KEY, key, IDEMPOTENCY_KEY_IPIP, key);
        Raw r = request("POST", PREFIX + route, Json.compactBytes(body), headers, true, route);
        if (key != null) {
            learn(r.headers(), key);
        }
        return answer(route, r.status(), r.body());
    }

    /** An answer as it came: status, body and headers. */
    public record Raw(int status, byte[] body, HttpHeaders headers) {}

    /**
     * One request to {@code path} under the base URL (e.g. {@code /api/auth/cli/start}), with the
     * 307/308 redirects it is answered with followed (301/302/303 refused: they would turn a
     * POST into a GET). A JSON body is sent as {@code application/json}.
     *
     * @param body    the exact bytes, or null for none (a GET)
     * @param headers extra headers; an {@code Authorization} header is not carried to another
     *                site on a redirect (only to the same host, or from {@code www.host} to {@code host})
     * @param sign    sign each hop with the node key ({@code X-Infernet-Auth} over its path, less the base prefix)
     * @param what    names the call in errors
     * @throws ControlPlaneException for a network failure or a refused redirect (any HTTP status is returned)
     */
    public Raw request(String method, String path, byte[] body, Map<String, String> headers, boolean sign, String what) {
        URI uri = URI.create(base + path);
        Map<String, String> carried = new LinkedHashMap<>(headers);
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (body != null) {
                b.header("content-type", "application/json");
            }
            if (sign) {
                b.header(AuthEnvelope.HEADER, signer.headerValue(method, signedPath(uri), body == null ? new byte[0] : body));
            }
            carried.forEach(b::header);
            HttpResponse<byte[]> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new ControlPlaneException(ControlPlaneException.NETWORK, what, uri.getHost() + ": " + describe(e), !neverSent(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ControlPlaneException(ControlPlaneException.NETWORK, what, "interrupted", true, e);
            }
            int status = response.statusCode();
            if (status == 307 || status == 308) {
                if (hop >= MAX_REDIRECTS) {
                    throw new ControlPlaneException(status, what, "more than " + MAX_REDIRECTS + " redirects; check controlPlane.url", false, null);
                }
                URI to = redirectTarget(uri, response, what);
                if (!sameSite(uri, to)) {
                    carried.keySet().removeIf(h -> h.equalsIgnoreCase("authorization"));
                }
                uri = to;
                continue;
            }
            if (status == 301 || status == 302 || status == 303) {
                String to = response.headers().firstValue("location").orElse("?");
                throw new ControlPlaneException(status, what, "redirected to " + to + " with " + status
                        + ", which turns a POST into a GET; set controlPlane.url to the new address ('infernet init --url URL')", false, null);
            }
            return new Raw(status, response.body(), response.headers());
        }
    }

    /** Same host, or {@code www.host} to {@code host} (the reference's canonical-host redirect). */
    static boolean sameSite(URI from, URI to) {
        String a = from.getHost() == null ? "" : from.getHost().toLowerCase(Locale.ROOT);
        String b = to.getHost() == null ? "" : to.getHost().toLowerCase(Locale.ROOT);
        return a.equals(b) || a.equals("www." + b);
    }

    /** The path to sign for {@code uri}: its path and query, less this client's base path prefix. */
    String signedPath(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (!basePath.isEmpty() && path.startsWith(basePath + "/")) {
            path = path.substring(basePath.length());
        }
        return path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private URI redirectTarget(URI from, HttpResponse<?> response, String route) {
        String location = response.headers().firstValue("location").orElse(null);
        if (location == null || location.isBlank()) {
            throw new ControlPlaneException(response.statusCode(), route, "a redirect without a Location", false, null);
        }
        URI to;
        try {
            to = from.resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new ControlPlaneException(response.statusCode(), route, "a redirect to an invalid Location '" + location + "'", false, null);
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http") && "http".equalsIgnoreCase(from.getScheme())) || to.getHost() == null) {
            throw new ControlPlaneException(response.statusCode(), route, "refused a redirect from " + from.getScheme() + " to '" + location
                    + "' (only http(s) URLs, and never from https to http)", false, null);
        }
        if (response.statusCode() == 308 && knowledge.permanentRedirectLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "the control plane moved permanently to {0}; following (set it with ''infernet init --url'' to save a hop)",
                    to.getScheme() + "://" + to.getRawAuthority());
        }
        return to;
    }

    private void learn(HttpHeaders h, String key) {
        boolean honoured = h.firstValue(IDEMPOTENT_REPLAYED).isPresent()
                || key.equals(h.firstValue(IDEMPOTENCY_KEY).orElse(null))
                || key.equals(h.firstValue(IDEMPOTENCY_KEY_IPIP).orElse(null));
        if (honoured && knowledge.mode == Idempotency.AUTO && knowledge.keysSeenHonoured.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "the control plane honours {0}: a write whose answer is lost is sent again with its key", IDEMPOTENCY_KEY);
        }
    }

    /** True when the request surely never reached the server (no connection, no TLS session). */
    static boolean neverSent(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    static JsonNode answer(String route, int status, byte[] body) {
        JsonNode tree = null;
        try {
            tree = body == null || body.length == 0 ? null : Json.parse(body);
        } catch (IOException notJson) {
            // described below
        }
        if (status >= 200 && status < 300) {
            if (tree == null || !tree.isObject()) {
                throw new ControlPlaneException(status, route, "the answer is not a JSON object", true, null);
            }
            JsonNode data = tree.get("data");
            return data == null || data.isNull() ? Json.object() : data;
        }
        String message = tree != null && tree.hasNonNull("error") ? tree.get("error").asText() : snippet(body);
        throw new ControlPlaneException(status, route, message, null);
    }

    private static JsonNode rows(JsonNode data) {
        JsonNode rows = data.get("rows");
        return rows == null || rows.isNull() ? Json.array() : rows;
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "(empty answer)";
        }
        String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
        return s.isEmpty() ? "(empty answer)" : s;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " " + m);
    }

    private static void sleep(Duration d, String route) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlPlaneException(ControlPlaneException.NETWORK, route, "interrupted", true, e);
        }
    }

    private static void checkRange(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", got " + v);
        }
    }

    /** Percent-encodes one path segment (ids are UUIDs in practice; anything else is escaped). */
    static String segment(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("an id in a route must not be empty");
        }
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /**
     * The control plane root as the client uses it (trimmed, no trailing slash).
     *
     * @throws IllegalArgumentException when it is not an http(s) URL with a host
     */
    public static String checkBaseUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no control plane URL: set it with 'infernet init --url URL'");
        }
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("control plane URL '" + url + "' is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("control plane URL '" + url + "' must be http(s)://host[:port]");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("control plane URL '" + url + "' must not have a query or fragment");
        }
        return u;
    }
}
