package io.infernet.controlplane.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.db.Rows;
import io.infernet.natives.Progress;
import io.infernet.engines.Json;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole network on one machine, black box: a control plane process (embedded PostgreSQL),
 * three Java node processes ({@code init --url}, {@code start --model} with the generated tiny
 * model), the official OpenAI SDK (npm {@code openai}, installed into target/ on first run)
 * calling the gateway; then a second control plane on the same database, a node killed in the
 * middle of a job, nodes killed before they start jobs, the control plane killed in the middle
 * of a stream and started again, and a batch of 200 items with a node killed halfway.
 *
 * <p>The scenarios share the network and run in order. Timings are the control plane's short
 * test settings: live window 8 s, nodes heartbeat every second.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkTest {

    static final String OPENAI_VERSION = "6.30.1";
    /** Nodes heartbeat every second; on a loaded 2-core machine a few seconds can pass between two. */
    static final int LIVE_WINDOW_S = 8;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Path dir;
    static Procs procs;
    static String model;
    static Path modelPath;
    static int port;
    static String base;
    static String jdbc;
    static Procs.Proc cp;
    static final Map<String, Procs.Proc> nodes = new LinkedHashMap<>();
    static final Map<String, String> pubkeys = new LinkedHashMap<>();
    static Path sdk;

    @BeforeAll
    static void network() throws Exception {
        dir = Files.createTempDirectory("infernet-network");
        procs = new Procs(dir);
        modelPath = DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
        model = modelPath.getFileName().toString().replaceAll("\\.gguf$", "");
        sdk = installSdk();
        port = freePort();
        startControlPlane();
        for (String n : List.of("n1", "n2", "n3")) {
            procs.run("init-" + n, Duration.ofSeconds(60), "init", "--config-dir", dir.resolve(n).toString(), "--url", base,
                    "--name", n, "--no-advertise");
            startNode(n);
        }
        await("3 live providers serving " + model, Duration.ofSeconds(60),
                () -> query("select id from providers where last_seen > now() - interval '" + LIVE_WINDOW_S + " seconds' and specs->'served_models' @> '[\"" + model + "\"]'::jsonb").size() == 3);
    }

    @AfterAll
    static void down() {
        if (procs != null) {
            procs.close();
        }
    }

    static void startControlPlane() throws Exception {
        cp = procs.start("control-plane", Map.of(), "control-plane", "--port", String.valueOf(port), "--data-dir", dir.resolve("cp").toString(),
                "--live-window", String.valueOf(LIVE_WINDOW_S), "--delivery-timeout", "10", "--queue-timeout", "60", "--payment-offer", "0.01");
        cp.await("^control plane on http://", Duration.ofSeconds(120));
        base = "http://127.0.0.1:" + port;
        jdbc = cp.await("\\((jdbc:postgresql://[^)]+)\\)", Duration.ofSeconds(5)).group(1);
    }

    static void startNode(String n) throws Exception {
        Procs.Proc p = procs.start(n, Map.of(), "start", "--config-dir", dir.resolve(n).toString(), "--model", modelPath.toString(),
                "--heartbeat-every", "1", "--concurrency", "2");
        p.await("is running with the", Duration.ofSeconds(120));
        nodes.put(n, p);
        pubkeys.put(n, Json.parse(Files.readAllBytes(dir.resolve(n).resolve("config.json"))).get("node").get("publicKey").asText());
    }

    // ---- the scenarios ----

    @Test
    @Order(1)
    void theOpenAiSdkGetsStreamedAndWholeAnswersPickedUpWithinASecond() throws Exception {
        JsonNode models = sdk("models", 1);
        assertEquals(List.of(model), list(models.get("ids")));
        JsonNode whole = sdk("whole", 8);
        assertEquals("chat.completion", whole.get("object").asText());
        assertTrue(!whole.get("text").asText().isEmpty(), whole.toString());
        assertFinishAndUsage(whole, 8);
        JsonNode stream = sdk("stream", 8);
        assertEquals("assistant", stream.get("role").asText());
        assertTrue(!stream.get("text").asText().isEmpty(), stream.toString());
        assertFinishAndUsage(stream, 8);
        // pickup: from the gateway's job row to the node holding it (long poll), for every job so far
        for (ObjectNode j : query("select extract(epoch from polled_at - created_at) * 1000 as ms from jobs")) {
            assertTrue(j.get("ms").asDouble() < 1000, "picked up after " + j.get("ms").asDouble() + " ms");
        }
    }

    static void assertFinishAndUsage(JsonNode r, int maxTokens) {
        String finish = r.get("finish").asText();
        int completion = r.get("usage").get("completion_tokens").asInt();
        assertTrue(finish.equals("length") || finish.equals("stop"), r.toString());
        assertTrue(completion >= 1 && completion <= maxTokens, r.toString());
        if (finish.equals("length")) {
            assertEquals(maxTokens, completion, r.toString());
        }
        assertTrue(r.get("usage").get("prompt_tokens").asInt() > 0, "the provider's prompt token count: " + r);
    }

    @Test
    @Order(2)
    void aSecondControlPlaneOnTheSameDatabaseServesTheSameNetwork() throws Exception {
        int port2 = freePort();
        Procs.Proc cp2 = procs.start("control-plane-2", Map.of(), "control-plane", "--port", String.valueOf(port2), "--database-url", jdbc,
                "--live-window", String.valueOf(LIVE_WINDOW_S));
        cp2.await("^control plane on http://", Duration.ofSeconds(60));
        try {
            List<CompletableFuture<HttpResponse<String>>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(HTTP.sendAsync(chat(i % 2 == 0 ? base : "http://127.0.0.1:" + port2, 4, false), HttpResponse.BodyHandlers.ofString()));
            }
            List<String> ids = new ArrayList<>();
            for (var f : fs) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                ids.add(r.headers().firstValue("x-infernet-job-id").orElseThrow());
            }
            for (String id : ids) {
                // the answer goes out at the done event; the node's completion follows it
                await("job " + id + " completed", Duration.ofSeconds(30),
                        () -> query("select id from jobs where id = '" + id + "' and status = 'completed'").size() == 1);
                // 8 requests for 6 slots: some wait in the queue; pickup counts from the assignment
                ObjectNode j = query("select status, attempts, extract(epoch from polled_at - assigned_at) * 1000 as ms from jobs where id = '" + id + "'").getFirst();
                assertEquals("completed", j.get("status").asText());
                assertEquals(1, j.get("attempts").asInt(), "assigned once");
                assertTrue(j.get("ms").asDouble() < 1000, "a job made by either control plane reaches a node long-polling the first: " + j);
            }
        } finally {
            cp2.stop();
        }
    }

    @Test
    @Order(3)
    void aNodeKilledInTheMiddleOfAJobEndsTheStreamWithAnError() throws Exception {
        HttpResponse<InputStream> r = HTTP.send(chat(base, 4000, true), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        String job = r.headers().firstValue("x-infernet-job-id").orElseThrow();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.contains("\"content\":\"") || line != null && line.contains("\"content\":\"\"")) {
                // until the first token
            }
            String victim = nodeOf(job);
            nodes.get(victim).kill();
            StringBuilder rest = new StringBuilder();
            while ((line = in.readLine()) != null) {
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString().contains("\"error\":{\"message\":\"provider " + victim), rest.length() > 2000 ? rest.substring(rest.length() - 2000) : rest.toString());
            assertTrue(rest.toString().trim().endsWith("data: [DONE]"));
            ObjectNode row = query("select status, error from jobs where id = '" + job + "'").getFirst();
            assertEquals("failed", row.get("status").asText());
            startNode(victim);
        }
    }

    @Test
    @Order(4)
    void jobsAssignedToANodeThatDiedBeforeStartingMoveToLiveOnes() throws Exception {
        nodes.get("n2").kill();
        List<CompletableFuture<HttpResponse<String>>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(HTTP.sendAsync(chat(base, 4, false), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : fs) {
            HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            String id = r.headers().firstValue("x-infernet-job-id").orElseThrow();
            ObjectNode j = query("select j.attempts, j.excluded_providers, p.public_key from jobs j join providers p on p.id = j.provider_id where j.id = '" + id + "'").getFirst();
            assertTrue(!j.get("public_key").asText().equals(pubkeys.get("n2")), "served by the dead node");
            if (j.get("attempts").asInt() > 1) {
                assertEquals(1, j.get("excluded_providers").size());
            }
        }
        startNode("n2");
    }

    @Test
    @Order(5)
    void theControlPlaneKilledInTheMiddleOfAStreamLosesNothingAndPaysOnce() throws Exception {
        await("3 live providers", Duration.ofSeconds(60), () -> query("select id from providers where last_seen > now() - interval '" + LIVE_WINDOW_S + " seconds'").size() == 3);
        HttpResponse<InputStream> r = HTTP.send(chat(base, 600, true), HttpResponse.BodyHandlers.ofInputStream());
        String job = r.headers().firstValue("x-infernet-job-id").orElseThrow();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: {") && line.contains("\"content\"")) {
                    seen.append(Json.parse(line.substring(6).getBytes(StandardCharsets.UTF_8)).get("choices").get(0).get("delta").get("content").asText());
                    if (seen.length() > 0) {
                        break;
                    }
                }
            }
            cp.kill();
        } catch (IOException expected) {
            // the connection went with the control plane
        }
        startControlPlane();
        await("the job completed after the restart", Duration.ofSeconds(120),
                () -> query("select id from jobs where id = '" + job + "' and status = 'completed'").size() == 1);
        List<ObjectNode> events = query("select event_type, data from job_events where job_id = '" + job + "' order by id");
        StringBuilder tokens = new StringBuilder();
        String done = null;
        for (ObjectNode e : events) {
            switch (e.get("event_type").asText()) {
                case "token" -> tokens.append(e.get("data").get("text").asText());
                case "done" -> done = e.get("data").get("text").asText();
                default -> { }
            }
        }
        ObjectNode row = query("select result, usage from jobs where id = '" + job + "'").getFirst();
        assertEquals(done, tokens.toString(), "every token stored once, in order");
        assertEquals(done, row.get("result").get("text").asText());
        assertTrue(done.startsWith(seen.toString()), "what the client saw before the crash is the start of the answer");
        assertEquals(1, query("select id from payment_transactions where job_id = '" + job + "'").size(), "paid once");
    }

    @Test
    @Order(6)
    void aBatchOf200ItemsFinishesAcrossThreeNodesWithOneKilledHalfway() throws Exception {
        await("3 live providers", Duration.ofSeconds(60), () -> query("select id from providers where last_seen > now() - interval '" + LIVE_WINDOW_S + " seconds'").size() == 3);
        String token = procs.run("user-add", Duration.ofSeconds(60), "control-plane", "user", "add", "ops@example.org",
                "--data-dir", dir.resolve("cp").toString()).lines().filter(l -> l.startsWith("eyJ")).findFirst().orElseThrow();
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            items.append(i == 0 ? "" : ",").append("\"prompt ").append(i).append('"');
        }
        HttpResponse<String> sub = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/batch"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"chat\",\"model\":\"" + model + "\",\"items\":[" + items
                        + "],\"options\":{\"chunk_size\":8,\"max_tokens\":2}}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, sub.statusCode(), sub.body());
        String id = Json.parse(sub.body().getBytes(StandardCharsets.UTF_8)).get("job_id").asText();
        // n3 is killed once half the items are done and it has finished a chunk of its own, so that
        // it dies holding work of a batch it took part in (however fast the others go meanwhile).
        await("half the items, and a chunk done by n3", Duration.ofSeconds(300), () -> status(id, token).get("items_done").asInt() >= 100
                && !query("select j.id from jobs j join jobs_batch_chunks k on k.id = j.batch_chunk_id join providers p on p.id = j.provider_id "
                        + "where k.job_id = '" + id + "' and j.status = 'completed' and p.public_key = '" + pubkeys.get("n3") + "'").isEmpty());
        nodes.get("n3").kill();
        await("the batch settled", Duration.ofSeconds(300), () -> !status(id, token).get("status").asText().equals("in_progress"));
        JsonNode s = status(id, token);
        assertEquals("completed", s.get("status").asText(), s.toString());
        assertEquals(200, s.get("items_done").asInt());
        assertEquals(25, s.get("chunks").get("done").asInt());
        HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/batch/" + id + "/results"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode manifest = Json.parse(m.body().getBytes(StandardCharsets.UTF_8));
        for (JsonNode it : manifest.get("items")) {
            assertEquals("done", it.get("status").asText(), it.toString());
        }
        assertEquals(3, query("select distinct provider_id from jobs j join jobs_batch_chunks k on k.id = j.batch_chunk_id "
                + "where k.job_id = '" + id + "' and j.status = 'completed'").size(), "fanned out over the three nodes");
    }

    // ---- helpers ----

    static JsonNode status(String id, String token) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/batch/" + id + "/status"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static String nodeOf(String job) {
        String key = query("select p.public_key from jobs j join providers p on p.id = j.provider_id where j.id = '" + job + "'")
                .getFirst().get("public_key").asText();
        return pubkeys.entrySet().stream().filter(e -> e.getValue().equals(key)).findFirst().orElseThrow().getKey();
    }

    static HttpRequest chat(String url, int maxTokens, boolean stream) {
        return HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}")).build();
    }

    static List<ObjectNode> query(String sql) {
        try (Connection c = DriverManager.getConnection(jdbc)) {
            return Rows.list(c, sql);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (AssertionError | RuntimeException notYet) {
                // the control plane may be restarting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\ncontrol plane log:\n" + cp.tail());
    }

    static List<String> list(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The OpenAI SDK from npm, installed once into target/openai-sdk. */
    static Path installSdk() throws Exception {
        Path home = Path.of("target", "openai-sdk").toAbsolutePath();
        if (!Files.isDirectory(home.resolve("node_modules/openai"))) {
            Files.createDirectories(home);
            Process p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", home.toString(),
                    "openai@" + OPENAI_VERSION).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "npm install openai failed:\n" + out);
        }
        try (InputStream in = NetworkTest.class.getResourceAsStream("/openai/client.mjs")) {
            Files.write(home.resolve("client.mjs"), in.readAllBytes());
        }
        return home;
    }

    static JsonNode sdk(String mode, int maxTokens) throws Exception {
        Process p = new ProcessBuilder("node", sdk.resolve("client.mjs").toString(), base + "/v1", model, mode, String.valueOf(maxTokens))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the SDK client hung");
        assertEquals(0, p.exitValue(), "the SDK client failed:\n" + out);
        String last = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no JSON from the SDK client:\n" + out));
        return Json.parse(last.getBytes(StandardCharsets.UTF_8));
    }

    static UUID uuid(String s) {
        return UUID.fromString(s);
    }
}
