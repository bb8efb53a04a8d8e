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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The node side of the control plane's {@code /api/v1/node/*} API: every call a signed
 * {@code POST} with a compact JSON body; {@code {"data": ...}} answers return the data,
 * {@code {"error": msg}} answers throw {@link ControlPlaneException} with the status and the
 * server's message. Network errors, 5xx, 408 and 429 are retried per the {@link RetryPolicy},
 * each attempt signed afresh (new nonce, new timestamp). Thread-safe.
 */
public final class ControlPlaneClient {

    public static final String PREFIX = "/api/v1/node/";
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final System.Logger LOG = System.getLogger("infernet.protocol.client");

    private final String base;
    private final EnvelopeSigner signer;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Duration timeout;
    private final RandomGenerator random = RandomGenerator.getDefault();

    /**
     * @param baseUrl the control plane's root, e.g. {@code https://infernetprotocol.com}
     *                (a path prefix is kept; a trailing slash is dropped)
     */
    public ControlPlaneClient(String baseUrl, EnvelopeSigner signer, HttpClient http, RetryPolicy retry, Duration timeout) {
        this.base = checkBaseUrl(baseUrl);
        this.signer = Objects.requireNonNull(signer, "signer");
        this.http = Objects.requireNonNull(http, "http");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
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
        return new ControlPlaneClient(base, signer, http, policy, timeout);
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
        JsonNode d = call(jobEventsRoute(jobId), jobEventsBody(events));
        return d.path("inserted").asInt(events.size());
    }

    public JsonNode completeJob(String jobId, ObjectNode body) {
        return call(jobCompleteRoute(jobId), body);
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
        return call(commandCompleteRoute(commandId), body);
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

    public static ObjectNode jobEventsBody(ArrayNode events) {
        ObjectNode body = Json.object();
        body.set("events", events);
        return body;
    }

    // ---- transport ----

    /** Calls {@code route} (relative to {@code /api/v1/node/}) with retries; returns {@code data}. */
    public JsonNode call(String route, ObjectNode body) {
        for (int attempt = 1; ; attempt++) {
            try {
                return callOnce(route, body);
            } catch (ControlPlaneException e) {
                if (!e.retryable() || attempt >= retry.maxAttempts()) {
                    throw e;
                }
                Duration pause = retry.delayBefore(attempt, random);
                LOG.log(System.Logger.Level.DEBUG, "retrying {0} in {1} ms after: {2}", route, pause.toMillis(), e.getMessage());
                sleep(pause, route);
            }
        }
    }

    /** One signed attempt, no retry. */
    public JsonNode callOnce(String route, ObjectNode body) {
        URI uri = URI.create(base + PREFIX + route);
        byte[] bytes = Json.compactBytes(body);
        String signedPath = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("content-type", "application/json")
                .header(AuthEnvelope.HEADER, signer.headerValue("POST", signedPath, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ControlPlaneException(ControlPlaneException.NETWORK, route, base + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlPlaneException(ControlPlaneException.NETWORK, route, "interrupted", e);
        }
        return answer(route, response.statusCode(), response.body());
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
                throw new ControlPlaneException(status, route, "the answer is not a JSON object", null);
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
            throw new ControlPlaneException(ControlPlaneException.NETWORK, route, "interrupted", e);
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
