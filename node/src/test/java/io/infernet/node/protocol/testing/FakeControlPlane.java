package io.infernet.node.protocol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.infernet.engines.Json;
import io.infernet.node.protocol.envelope.EnvelopeVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A control plane on loopback for tests: it checks every request with the project's
 * {@link EnvelopeVerifier} (401 like the real one), keeps just enough state to act like the
 * real node API (registrations, assigned jobs, events, completions, commands, payouts), and
 * records every request. Faults on demand: answer 500, drop the connection before doing
 * anything, do the work and then drop the connection (the answer is lost: the case that
 * duplicates writes on a server without idempotency), or be down.
 *
 * <p>Shapes of deployment on demand: {@link #behindPrefix} (a proxy that serves the control
 * plane under a path prefix and strips it, so the envelope is checked against the bare path),
 * {@link #redirectTo} (every request answered with a redirect, as the reference's
 * {@code www.} host answers 308), {@link #honourIdempotencyKeys} (this project's control plane:
 * a repeated {@code Idempotency-Key} gets the first answer and changes nothing; the reference
 * ignores the header, which is the default here).
 */
public final class FakeControlPlane implements AutoCloseable {

    public static final String PREFIX = "/api/v1/node/";
    private static final Set<String> EVENT_TYPES = Set.of("meta", "token", "done", "error");

    /**
     * One request as received. {@code pubkey} is null when the envelope was refused
     * ({@code authError}); {@code status} is -1 for a connection dropped before the work, -2 for
     * one dropped after it; {@code idempotencyKey} is the request's header, or null.
     */
    public record Recorded(String route, JsonNode body, String pubkey, String authError, int status, String idempotencyKey) {}

    /** Status of a recorded request whose connection was dropped before anything was done. */
    public static final int DROPPED = -1;
    /** Status of a recorded request that was carried out, then its connection dropped. */
    public static final int COMMITTED_THEN_DROPPED = -2;
    private static final Set<String> KEYED_ROUTES = Set.of("jobs/{id}/events", "jobs/{id}/complete", "commands/{id}/complete");

    /** A fault for the next {@code count} requests to {@code route} ("*" for any). */
    private record Fault(String route, int status, int count) {}

    /** A stored answer for an idempotency key, with the hash of the request it answered. */
    private record Stored(String requestHash, Answer answer) {}

    private final EnvelopeVerifier verifier = new EnvelopeVerifier(Clock.systemUTC());
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final int port;
    private HttpServer server;

    private final List<Recorded> requests = new ArrayList<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Map<String, ObjectNode> nodesByPubkey = new LinkedHashMap<>();
    private final Map<String, ObjectNode> jobs = new LinkedHashMap<>();
    private final Map<String, List<ObjectNode>> events = new HashMap<>();
    private final Map<String, List<ObjectNode>> jobCompletions = new HashMap<>();
    private final Deque<ObjectNode> commandQueue = new ArrayDeque<>();
    private final FakeAccounts accounts;
    private int commandSeq;
    private final Map<String, List<ObjectNode>> commandCompletions = new HashMap<>();
    private final Map<String, List<ObjectNode>> commandProgress = new HashMap<>();
    private boolean acceptProgress;
    private final List<ObjectNode> payouts = new ArrayList<>();
    private final List<ObjectNode> payments = new ArrayList<>();
    private final Map<String, Stored> idempotent = new HashMap<>();
    private int rowSeq;
    /** When true, jobs/poll with wait_ms long-polls and says long_poll: true (this project's control plane). */
    private boolean longPoll;
    private final java.util.Set<String> delivered = new java.util.HashSet<>();
    private volatile String prefix = "";
    private volatile String redirectBase;
    private volatile int redirectStatus;
    private volatile boolean honourKeys;
    private volatile boolean echoKeys;

    public FakeControlPlane() throws IOException {
        server = bind(0);
        port = server.getAddress().getPort();
        accounts = new FakeAccounts(verifier, this::enqueueForOwner, "http://127.0.0.1:" + port);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    // ---- faults ----

    /** The next {@code count} requests to {@code route} ("*" = any) get {@code status} with an error body. */
    public synchronized void failNext(String route, int status, int count) {
        faults.add(new Fault(route, status, count));
    }

    /** The next {@code count} requests to {@code route} have their connection closed without an answer. */
    public synchronized void dropNext(String route, int count) {
        faults.add(new Fault(route, -1, count));
    }

    /** The next {@code count} requests to {@code route} are carried out, then their connection is closed without an answer. */
    public synchronized void commitThenDrop(String route, int count) {
        faults.add(new Fault(route, COMMITTED_THEN_DROPPED, count));
    }

    /** Serves under {@code pathPrefix} (e.g. "/cp") as a proxy that strips it would: other paths get 404. */
    public void behindPrefix(String pathPrefix) {
        prefix = pathPrefix;
    }

    /**
     * Answers every request with {@code status} (307 or 308) and a Location of {@code base} plus
     * the request's path and query; null stops redirecting.
     */
    public void redirectTo(String base, int status) {
        redirectStatus = status;
        redirectBase = base;
    }

    /**
     * Honours {@code Idempotency-Key} on events and completions as this project's control plane
     * does (per pubkey and key: a repeat gets the stored answer and changes nothing; the same key
     * on another request is a 422; a refused request stores nothing). {@code echo}: answers carry
     * the key back in an {@code Idempotency-Key} header.
     */
    public void honourIdempotencyKeys(boolean echo) {
        echoKeys = echo;
        honourKeys = true;
    }

    /** Stops listening: connections are refused until {@link #up()}. */
    public synchronized void down() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    public synchronized void up() throws IOException {
        for (int i = 0; ; i++) {
            try {
                server = bind(port);
                server.start();
                return;
            } catch (BindException e) {
                if (i > 50) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    // ---- state the tests set up ----

    /** Assigns a job to whoever polls (the fake has one provider per test). */
    public synchronized void addJob(String id, String type, String modelName, JsonNode inputSpec) {
        ObjectNode j = Json.object();
        j.put("id", id).put("title", "job " + id).put("type", type).put("status", "assigned");
        j.put("payment_offer", 0.01).put("payment_coin", "USDC");
        if (modelName == null) {
            j.putNull("model_name");
        } else {
            j.put("model_name", modelName);
        }
        j.set("input_spec", inputSpec);
        j.put("created_at", "2025-04-18T00:00:00.000Z");
        jobs.put(id, j);
        notifyAll(); // wakes a long poll
    }

    /** Makes jobs/poll long-poll as this project's control plane does (off: as the reference). */
    public synchronized void longPoll(boolean on) {
        longPoll = on;
    }

    public synchronized void addCommand(String id, String command, ObjectNode args) {
        ObjectNode c = Json.object().put("id", id).put("command", command);
        c.set("args", args);
        commandQueue.add(c);
    }

    /** An owner's command for the node of {@code pubkey} (queued by the user route). */
    private String enqueueForOwner(String pubkey, String command, ObjectNode args) {
        String id = "cmd-" + (++commandSeq);
        ObjectNode c = Json.object().put("id", id).put("command", command);
        c.set("args", args);
        c.put("for", pubkey);
        commandQueue.add(c);
        return id;
    }

    // ---- users (login, pubkey link, owner commands) ----

    /** A user and its bearer token (a JWT with sub, email, exp), as the dashboard would hold it. */
    public synchronized String addUser(String email) {
        return accounts.addUser(email);
    }

    /** The device-code sessions started so far, oldest first. */
    public synchronized List<String> loginCodes() {
        return accounts.sessionCodes();
    }

    /** Approves a login session for the user of {@code token}, as the browser sign-in does. */
    public synchronized void approveLogin(String code, String token) {
        accounts.approve(code, token);
    }

    public synchronized void expireLogin(String code) {
        accounts.expire(code);
    }

    public synchronized boolean isLinked(String pubkey, String role) {
        return accounts.linked(pubkey, role);
    }

    public synchronized void addPayment(ObjectNode row) {
        payments.addFirst(row);
    }

    // ---- what the tests read ----

    public synchronized List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<Recorded> requests(String route) {
        return requests.stream().filter(r -> r.route().equals(route)).toList();
    }

    /** Requests whose envelope was refused (a correct node makes none). */
    public synchronized List<Recorded> authFailures() {
        return requests.stream().filter(r -> r.authError() != null).toList();
    }

    /** Events stored for a job, in arrival order. */
    public synchronized List<ObjectNode> events(String jobId) {
        return List.copyOf(events.getOrDefault(jobId, List.of()));
    }

    public synchronized List<ObjectNode> jobCompletions(String jobId) {
        return List.copyOf(jobCompletions.getOrDefault(jobId, List.of()));
    }

    /** Takes {@code commands/{id}/progress} posts (this project's addition; the reference answers 404). */
    public synchronized void acceptProgress() {
        acceptProgress = true;
    }

    public synchronized List<ObjectNode> commandProgress(String commandId) {
        return List.copyOf(commandProgress.getOrDefault(commandId, List.of()));
    }

    public synchronized List<ObjectNode> commandCompletions(String commandId) {
        return List.copyOf(commandCompletions.getOrDefault(commandId, List.of()));
    }

    /** Every route's stored event type sequence of a job, e.g. meta, token, token, done. */
    public synchronized List<String> eventTypes(String jobId) {
        return events(jobId).stream().map(e -> e.get("event_type").asText()).toList();
    }

    public synchronized ObjectNode lastHeartbeat() {
        List<Recorded> hb = requests.stream().filter(r -> r.route().equals("heartbeat") && r.status() == 200).toList();
        return hb.isEmpty() ? null : (ObjectNode) hb.getLast().body();
    }

    public synchronized boolean isRegistered(String pubkey) {
        return nodesByPubkey.containsKey(pubkey);
    }

    @Override
    public synchronized void close() {
        longPoll = false;
        notifyAll();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- HTTP ----

    private HttpServer bind(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 64);
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        return s;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String rawPath = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            String idem = ex.getRequestHeaders().getFirst("Idempotency-Key");
            String redirect = redirectBase;
            if (redirect != null) {
                ex.getResponseHeaders().set("Location", redirect + rawPath + (query == null ? "" : "?" + query));
                respond(ex, redirectStatus, error("moved"), rawPath, null, null, null, idem);
                return;
            }
            String pre = prefix;
            if (!pre.isEmpty()) {
                if (!rawPath.startsWith(pre + "/")) {
                    respond(ex, 404, error("not under " + pre), rawPath, null, null, null, idem);
                    return;
                }
                rawPath = rawPath.substring(pre.length());
            }
            String pathAndQuery = rawPath + (query == null ? "" : "?" + query);
            if (!rawPath.startsWith(PREFIX)) {
                FakeAccounts.Reply a;
                synchronized (this) {
                    a = accounts.handle(ex.getRequestMethod(), rawPath, pathAndQuery, body,
                            ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("X-Infernet-Auth"));
                }
                JsonNode json = null;
                try {
                    json = body.length == 0 ? null : Json.parse(body);
                } catch (IOException notJson) {
                    // recorded as null
                }
                respond(ex, a.status(), a.body(), rawPath.replaceAll("/(poll|nodes)/[^/]+", "/$1/{id}"), json, null, null, idem);
                return;
            }
            String route = rawPath.startsWith(PREFIX) ? rawPath.substring(PREFIX.length()) : rawPath;
            String routeKey = route.replaceAll("^(jobs|commands)/[^/]+/", "$1/{id}/");
            Fault fault = takeFault(routeKey, route);
            if (fault != null && fault.status() == DROPPED) {
                record(new Recorded(routeKey, null, null, null, DROPPED, idem));
                return; // closes the connection without an answer
            }
            var v = verifier.verify(ex.getRequestHeaders().getFirst("X-Infernet-Auth"), ex.getRequestMethod(), pathAndQuery, body);
            JsonNode json;
            try {
                json = Json.parse(body);
            } catch (IOException e) {
                json = null;
            }
            if (!"POST".equals(ex.getRequestMethod()) || !"application/json".equals(ex.getRequestHeaders().getFirst("content-type"))) {
                respond(ex, 400, error("node calls are POST application/json"), routeKey, json, null, "bad method/content-type", idem);
                return;
            }
            if (v instanceof EnvelopeVerifier.Verification.Rejected r) {
                respond(ex, 401, error(r.message()), routeKey, json, null, r.message(), idem);
                return;
            }
            String pubkey = ((EnvelopeVerifier.Verification.Verified) v).pubkey();
            if (fault != null && fault.status() > 0) {
                respond(ex, fault.status(), error("injected failure " + fault.status()), routeKey, json, pubkey, null, idem);
                return;
            }
            if (!(json instanceof ObjectNode obj)) {
                respond(ex, 400, error("body must be a JSON object"), routeKey, json, pubkey, null, idem);
                return;
            }
            boolean keyed = honourKeys && idem != null && KEYED_ROUTES.contains(routeKey);
            Answer a = keyed ? keyedRoute(route, obj, pubkey, idem, pathAndQuery, body) : route(route, obj, pubkey);
            if (fault != null && fault.status() == COMMITTED_THEN_DROPPED) {
                record(new Recorded(routeKey, json, pubkey, null, COMMITTED_THEN_DROPPED, idem));
                return; // done, but the answer is lost
            }
            if (keyed && a.replayed()) {
                ex.getResponseHeaders().set("Idempotent-Replayed", "true");
            }
            if (keyed && echoKeys) {
                ex.getResponseHeaders().set("Idempotency-Key", idem);
            }
            respond(ex, a.status(), a.body(), routeKey, json, pubkey, null, idem);
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private synchronized Answer keyedRoute(String route, ObjectNode b, String pubkey, String key, String pathAndQuery, byte[] body) {
        String hash = io.infernet.node.protocol.envelope.Canonical.bodyHash(("POST\n" + pathAndQuery + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + io.infernet.node.protocol.envelope.Canonical.bodyHash(body);
        Stored stored = idempotent.get(pubkey + "\n" + key);
        if (stored != null) {
            if (!stored.requestHash().equals(hash)) {
                return new Answer(422, error("Idempotency-Key '" + key + "' was already used for a different request"));
            }
            return new Answer(stored.answer().status(), stored.answer().body(), true);
        }
        Answer a = route(route, b, pubkey);
        if (a.status() < 400) {
            idempotent.put(pubkey + "\n" + key, new Stored(hash, a));
        }
        return a;
    }

    private record Answer(int status, ObjectNode body, boolean replayed) {
        Answer(int status, ObjectNode body) {
            this(status, body, false);
        }
    }

    private synchronized Answer route(String route, ObjectNode b, String pubkey) {
        String[] parts = route.split("/");
        return switch (parts[0]) {
            case "register" -> register(b, pubkey);
            case "heartbeat" -> {
                ObjectNode node = nodesByPubkey.get(pubkey);
                if (node == null) {
                    yield new Answer(404, error("node not registered"));
                }
                yield ok(Json.object().put("id", node.get("id").asText()));
            }
            case "me" -> {
                ObjectNode row = nodesByPubkey.get(pubkey);
                ObjectNode d = Json.object();
                d.set("row", row == null ? null : row.deepCopy());
                yield ok(d);
            }
            case "remove" -> {
                ObjectNode row = nodesByPubkey.remove(pubkey);
                ObjectNode d = Json.object().put("deleted", row != null);
                if (row != null) {
                    d.set("id", row.get("id"));
                }
                yield ok(d);
            }
            case "jobs" -> parts.length == 2 ? pollJobs(b) : jobAction(parts[1], parts[2], b);
            case "commands" -> parts.length == 2 ? pollCommands(b, pubkey)
                    : parts[2].equals("progress") ? progress(parts[1], b) : completeCommand(parts[1], b);
            case "payouts" -> parts[1].equals("set") ? setPayout(b) : ok(rows(payouts));
            case "payments" -> {
                int limit = b.path("limit").asInt(50);
                yield ok(rows(payments.subList(0, Math.min(limit, payments.size()))));
            }
            default -> new Answer(404, error("no route " + route));
        };
    }

    private Answer register(ObjectNode b, String pubkey) {
        String nodeId = Json.text(b, "node_id");
        if (nodeId == null || Json.text(b, "role") == null) {
            return new Answer(400, error("role and node_id are required"));
        }
        for (var e : nodesByPubkey.entrySet()) {
            if (!e.getKey().equals(pubkey) && nodeId.equals(Json.text(e.getValue(), "node_id"))) {
                return new Answer(403, error("node_id belongs to another pubkey"));
            }
        }
        ObjectNode row = nodesByPubkey.computeIfAbsent(pubkey, k -> Json.object().put("id", "row-" + (++rowSeq)));
        row.put("node_id", nodeId).put("public_key", pubkey);
        row.set("name", b.get("name"));
        return ok(Json.object().put("id", row.get("id").asText()).put("node_id", nodeId));
    }

    private Answer pollJobs(ObjectNode b) {
        int limit = b.path("limit").asInt(5);
        if (limit < 1 || limit > 25) {
            return new Answer(400, error("limit must be 1..25"));
        }
        boolean wants = longPoll && b.has("wait_ms");
        long end = System.nanoTime() + Math.max(0, b.path("wait_ms").asLong(0)) * 1_000_000;
        while (wants && !hasUndelivered() && System.nanoTime() < end) {
            try {
                wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ArrayNode out = Json.array();
        for (ObjectNode j : jobs.values()) {
            if (out.size() < limit && "assigned".equals(Json.text(j, "status"))) {
                out.add(j.deepCopy());
                delivered.add(Json.text(j, "id"));
            }
        }
        ObjectNode d = Json.object().put("provider_id", "row-1");
        d.set("jobs", out);
        if (wants) {
            d.put("long_poll", true);
        }
        return ok(d);
    }

    private boolean hasUndelivered() {
        return jobs.values().stream().anyMatch(j -> "assigned".equals(Json.text(j, "status")) && !delivered.contains(Json.text(j, "id")));
    }

    private Answer jobAction(String id, String action, ObjectNode b) {
        if (action.equals("events")) {
            JsonNode evs = b.get("events");
            if (evs == null || !evs.isArray() || evs.isEmpty() || evs.size() > 200) {
                return new Answer(400, error("events must be an array of 1..200"));
            }
            for (JsonNode e : evs) {
                if (!EVENT_TYPES.contains(e.path("event_type").asText())) {
                    return new Answer(400, error("invalid event_type " + e.path("event_type").asText()));
                }
            }
            List<ObjectNode> list = events.computeIfAbsent(id, k -> new ArrayList<>());
            evs.forEach(e -> list.add((ObjectNode) e));
            return ok(Json.object().put("inserted", evs.size()));
        }
        jobCompletions.computeIfAbsent(id, k -> new ArrayList<>()).add(b);
        ObjectNode job = jobs.get(id);
        String status = "failed".equals(Json.text(b, "status")) ? "failed" : "completed";
        if (job != null) {
            job.put("status", status);
        }
        return ok(Json.object().put("id", id).put("status", status));
    }

    private Answer pollCommands(ObjectNode b, String pubkey) {
        int limit = b.path("limit").asInt(5);
        if (limit < 1 || limit > 10) {
            return new Answer(400, error("limit must be 1..10"));
        }
        ArrayNode out = Json.array();
        for (var it = commandQueue.iterator(); it.hasNext() && out.size() < limit; ) {
            ObjectNode c = it.next();
            if (!c.has("for") || c.get("for").asText().equals(pubkey)) {
                it.remove();
                ObjectNode sent = c.deepCopy();
                sent.remove("for");
                out.add(sent);
            }
        }
        ObjectNode d = Json.object();
        d.set("commands", out);
        return ok(d);
    }

    /** Install progress: 404 as the reference (it has no such route) unless {@link #acceptProgress}. */
    private Answer progress(String id, ObjectNode b) {
        if (!acceptProgress) {
            return new Answer(404, error("no route commands/" + id + "/progress"));
        }
        commandProgress.computeIfAbsent(id, k -> new ArrayList<>()).add(b);
        return ok(Json.object().put("id", id));
    }

    private Answer completeCommand(String id, ObjectNode b) {
        String status = Json.text(b, "status");
        if (!"completed".equals(status) && !"failed".equals(status)) {
            return new Answer(400, error("status must be completed or failed"));
        }
        commandCompletions.computeIfAbsent(id, k -> new ArrayList<>()).add(b);
        return ok(Json.object().put("id", id).put("status", status));
    }

    private Answer setPayout(ObjectNode b) {
        if (Json.text(b, "coin") == null || Json.text(b, "network") == null || Json.text(b, "address") == null) {
            return new Answer(400, error("coin, network and address are required"));
        }
        ObjectNode row = Json.object()
                .put("coin", Json.text(b, "coin").toUpperCase())
                .put("network", Json.text(b, "network"))
                .put("address", Json.text(b, "address"))
                .put("is_default", true);
        payouts.forEach(p -> p.put("is_default", false));
        payouts.add(row);
        ObjectNode d = Json.object();
        d.set("row", row.deepCopy());
        return ok(d);
    }

    private static ObjectNode rows(List<ObjectNode> rows) {
        ArrayNode a = Json.array();
        rows.forEach(r -> a.add(r.deepCopy()));
        ObjectNode d = Json.object();
        d.set("rows", a);
        return d;
    }

    private static Answer ok(ObjectNode data) {
        ObjectNode b = Json.object();
        b.set("data", data);
        return new Answer(200, b);
    }

    private static ObjectNode error(String msg) {
        return Json.object().put("error", msg);
    }

    private synchronized Fault takeFault(String routeKey, String route) {
        for (var it = faults.iterator(); it.hasNext(); ) {
            Fault f = it.next();
            if (f.route().equals("*") || f.route().equals(routeKey) || f.route().equals(route)) {
                it.remove();
                if (f.count() > 1) {
                    faults.addFirst(new Fault(f.route(), f.status(), f.count() - 1));
                }
                return f;
            }
        }
        return null;
    }

    private synchronized void record(Recorded r) {
        requests.add(r);
    }

    private void respond(HttpExchange ex, int status, ObjectNode body, String route, JsonNode json, String pubkey, String authError,
                         String idem) throws IOException {
        record(new Recorded(route, json, pubkey, authError, status, idem));
        byte[] bytes = Json.compactBytes(body);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
