package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Engine;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.daemon.BasicSpecsProvider;
import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The protocol commands end to end against the loopback control plane. */
class ProtocolCliTest extends ControlPlaneCliTest {

    @Test
    void initWritesTheConfigAsSpecified() throws Exception {
        CliRun r = run("init", "--url", cp.url(), "--name", "box-1", "--nostr-privkey", SK);
        assertEquals(0, r.code(), r.all());
        JsonNode c = config();
        assertEquals(cp.url(), c.at("/controlPlane/url").asText());
        assertTrue(c.at("/node/id").isNull());
        assertEquals("provider-dff1d77f", c.at("/node/nodeId").asText());
        assertEquals("provider", c.at("/node/role").asText());
        assertEquals("box-1", c.at("/node/name").asText());
        assertEquals(PK, c.at("/node/publicKey").asText());
        assertEquals(SK, c.at("/node/privateKey").asText());
        assertEquals(46337, c.at("/node/port").asInt());
        java.util.List<String> order = new java.util.ArrayList<>();
        c.get("node").fieldNames().forEachRemaining(order::add);
        assertEquals(java.util.List.of("id", "nodeId", "role", "name", "publicKey", "privateKey", "address", "port"), order);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("config.json"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.readString(dir.resolve("config.json")).endsWith("}\n"));
        assertFalse(r.all().contains(SK), "init never prints the private key");

        assertEquals(PK + "\n", run("pubkey").out());
    }

    @Test
    void noAdvertiseReInitAndForce() throws Exception {
        assertEquals(0, run("init", "--url", cp.url(), "--no-advertise", "--role", "provider").code());
        JsonNode c = config();
        assertTrue(c.at("/node/address").isNull());
        assertTrue(c.at("/node/port").isNull());
        String pub = c.at("/node/publicKey").asText();

        // Re-running keeps the identity and the settings not given.
        assertEquals(0, run("init", "--name", "renamed").code());
        assertEquals(pub, config().at("/node/publicKey").asText());
        assertTrue(config().at("/node/address").isNull());
        assertEquals("renamed", config().at("/node/name").asText());

        // Another key needs --force, and the refusal does not echo the key.
        CliRun refused = run("init", "--nostr-privkey", SK);
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("--force"), refused.err());
        assertFalse(refused.all().contains(SK));
        assertEquals(0, run("init", "--nostr-privkey", SK, "--force", "--no-advertise").code());
        assertEquals(PK, config().at("/node/publicKey").asText());

        CliRun bad = run("init", "--force", "--nostr-privkey", "zz" + SK.substring(2));
        assertEquals(2, bad.code());
        assertFalse(bad.all().contains(SK.substring(2)), "a malformed key is not echoed either");
        CliRun badUrl = run("init", "--url", "ftp://nowhere");
        assertEquals(2, badUrl.code());
        assertTrue(badUrl.err().contains("must be http(s)"));
    }

    @Test
    void debugRedactsSecrets() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK);
        // An auth block with a bearer token (written by a login) and an unknown secret.
        JsonNode c = config();
        ((com.fasterxml.jackson.databind.node.ObjectNode) c).putObject("auth").put("bearerToken", "tok-abc123").put("email", "me@example.com");
        Files.writeString(dir.resolve("config.json"), Json.pretty(c));
        CliRun r = run("debug");
        assertEquals(0, r.code(), r.all());
        assertFalse(r.all().contains(SK));
        assertFalse(r.all().contains("tok-abc123"));
        assertTrue(r.out().contains("\"privateKey\": \"<redacted>\""), r.out());
        assertTrue(r.out().contains(PK));
        assertTrue(r.out().contains("me@example.com"));
        assertTrue(r.out().contains("engine:        auto (model: none)"), r.out());
    }

    @Test
    void registerStatusPayoutsPaymentsRemove() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK, "--no-advertise");
        CliRun reg = run("register");
        assertEquals(0, reg.code(), reg.all());
        assertEquals("row-1", config().at("/node/id").asText());
        JsonNode body = cp.requests("register").getFirst().body();
        assertEquals("provider-dff1d77f", body.get("node_id").asText());
        assertFalse(body.has("address"));
        assertTrue(body.at("/specs/cpu/cores").asInt() >= 1);

        CliRun status = run("status");
        assertEquals(0, status.code(), status.all());
        assertTrue(status.out().contains("registered:    yes"), status.out());
        assertTrue(status.out().contains(PK));

        CliRun set = run("payout", "set", "usdc", "0x52908400098527886E0F7030069857D2E4169EE7", "--network", "base");
        assertEquals(0, set.code(), set.all());
        JsonNode payout = cp.requests("payouts/set").getFirst().body();
        assertEquals("{\"coin\":\"USDC\",\"network\":\"base\",\"address\":\"0x52908400098527886E0F7030069857D2E4169EE7\"}", Json.compact(payout));
        CliRun btc = run("payout", "set", "BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        assertEquals(0, btc.code());
        assertEquals("bitcoin", cp.requests("payouts/set").getLast().body().get("network").asText());
        CliRun wrong = run("payout", "set", "ETH", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("is not a valid ETH address on ethereum: expected 0x followed by 40 hex characters"), wrong.err());
        assertEquals(2, cp.requests("payouts/set").size(), "an invalid address is not sent");
        CliRun list = run("payout", "list");
        assertTrue(list.out().contains("USDC  base"), list.out());
        assertTrue(list.out().contains("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq  (default)"), list.out());

        cp.addPayment(Json.object().put("amount", "0.5").put("coin", "USDC"));
        CliRun pay = run("payments", "--limit", "5");
        assertEquals(0, pay.code());
        assertTrue(pay.out().contains("\"amount\":\"0.5\""));
        assertEquals(5, cp.requests("payments/list").getFirst().body().get("limit").asInt());
        assertEquals(2, run("payments", "--limit", "500").code());

        CliRun rm = run("remove");
        assertEquals(0, rm.code(), rm.all());
        assertTrue(rm.out().contains("removed provider-dff1d77f"));
        assertTrue(config().at("/node/id").isNull());
        assertTrue(run("status").out().contains("registered:    no"));
    }

    @Test
    void errorsAreOneClearLine() {
        CliRun noConfig = run("status");
        assertEquals(2, noConfig.code());
        assertTrue(noConfig.err().startsWith("error: no config at "), noConfig.err());
        assertTrue(noConfig.err().contains("run 'infernet init' first"));
        run("init", "--url", cp.url(), "--nostr-privkey", SK);
        cp.failNext("me", 403, 1);
        CliRun refused = run("status");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("control plane answered 403 to me: injected failure 403"), refused.err());
        assertFalse(refused.all().contains(SK));
    }

    @Test
    void startWithTheInProcessEngineRefusesAMissingModelBeforeRegistering() {
        run("init", "--url", cp.url(), "--nostr-privkey", SK);
        CliRun r = run("start", "--model", "/no/such/model.gguf");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model /no/such/model.gguf: model file not found"), r.err());
        assertTrue(cp.requests("register").isEmpty());
    }

    @Test
    void startRunsTheDaemonWithTheInProcessEngineAndStopsOffline() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK);
        FakeEngine engine = new FakeEngine("tiny");
        Path tiny = Files.writeString(tmp.resolve("tiny.gguf"), "GGUF");
        StartCommand start = new StartCommand(o -> {
            assertEquals(tiny, o.model());
            return engine;
        }, new BasicSpecsProvider());
        CommandLine cl = new CommandLine(start);
        cl.setExecutionExceptionHandler(Main::handleError);
        Thread t = Thread.ofPlatform().start(() -> run(cl, "--model", tiny.toString(), "--no-advertise", "--concurrency", "3",
                "--models-dir", tmp.resolve("store").toString()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a heartbeat").until(() -> cp.lastHeartbeat() != null);
        start.stop();
        t.join(15_000);
        assertFalse(t.isAlive());
        JsonNode hb = cp.lastHeartbeat();
        assertEquals("offline", hb.get("status").asText());
        assertEquals("[\"tiny\"]", Json.compact(hb.at("/specs/served_models")));
        assertEquals(3, hb.at("/specs/load/concurrency_cap").asInt());
        assertFalse(hb.has("address"));
        assertEquals("row-1", config().at("/node/id").asText(), "the row id is saved on registration");
    }

    private Thread startInBackground(StartCommand start, String... args) {
        CommandLine cl = new CommandLine(start);
        cl.setExecutionExceptionHandler(Main::handleError);
        return Thread.ofPlatform().start(() -> run(cl, args));
    }

    /**
     * The advertised port is one something answers on (apps/cli/commands/start.js binds its P2P
     * listener and answers ping/info); one that cannot be bound is not advertised at all.
     */
    @Test
    void startAdvertisesThePeerPortOnlyWhileListeningOnIt() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK, "--address", "203.0.113.7");
        StartCommand start = new StartCommand(o -> new FakeEngine("tiny"), new BasicSpecsProvider());
        Path tiny = Files.writeString(tmp.resolve("tiny.gguf"), "GGUF");
        Thread t = startInBackground(start, "--model", tiny.toString(), "--p2p-port", "0", "--price", "0.25", "--gpu-model", "RTX 4090",
                "--models-dir", tmp.resolve("store").toString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a heartbeat").until(() -> cp.lastHeartbeat() != null);
        JsonNode hb = cp.lastHeartbeat();
        int port = hb.get("port").asInt();
        assertTrue(port > 0, hb.toString());
        assertEquals("203.0.113.7", hb.get("address").asText());
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("{\"cmd\":\"info\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertEquals("provider-dff1d77f", Json.MAPPER.readTree(line).at("/data/node_id").asText());
        }
        JsonNode reg = cp.requests("register").getFirst().body();
        assertEquals(0.25, reg.get("price").asDouble());
        assertEquals("RTX 4090", reg.get("gpu_model").asText());
        start.stop();
        t.join(15_000);

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int before = cp.requests("heartbeat").size();
            StartCommand second = new StartCommand(o -> new FakeEngine("tiny"), new BasicSpecsProvider());
            Thread t2 = startInBackground(second, "--model", tiny.toString(), "--p2p-port", Integer.toString(taken.getLocalPort()),
                    "--models-dir", tmp.resolve("store").toString());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a heartbeat of the second start")
                    .until(() -> cp.requests("heartbeat").size() > before);
            JsonNode hb2 = cp.requests("heartbeat").getLast().body();
            assertEquals("203.0.113.7", hb2.get("address").asText());
            assertFalse(hb2.has("port"), "the port could not be bound, so it is not advertised: " + hb2);
            second.stop();
            t2.join(15_000);
        }
    }

    @Test
    void registerSendsPriceAndGpuModelAndNoPortNothingListensOn() throws Exception {
        run("init", "--url", cp.url(), "--nostr-privkey", SK, "--address", "203.0.113.7", "--port", "46337");
        CliRun reg = run("register", "--price", "1.5", "--gpu-model", "A100-SXM4-80GB");
        assertEquals(0, reg.code(), reg.all());
        JsonNode body = cp.requests("register").getFirst().body();
        assertEquals(1.5, body.get("price").asDouble());
        assertEquals("A100-SXM4-80GB", body.get("gpu_model").asText());
        assertEquals("203.0.113.7", body.get("address").asText());
        assertFalse(body.has("port"));
        assertEquals(2, run("register", "--price", "-1").code(), "a negative price is a usage error");
    }

    /**
     * Workload class B for a vLLM found running whose model spans several GPUs (the reference's
     * IPIP-0009 classes; start.js advertises what specs say): the node reads the split from the
     * process's command line. The "vLLM" here is a python process named vllm, started as vLLM's
     * console script is, and a loopback server answering its /v1/models.
     */
    @Test
    void aMultiGpuVllmFoundRunningIsAdvertisedAsClassB() throws Exception {
        Path python = Stream.of("/usr/bin/python3", "/usr/local/bin/python3").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null && Files.isDirectory(Path.of("/proc/self")), "needs python3 and /proc");
        com.sun.net.httpserver.HttpServer api = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        api.createContext("/v1/models", ex -> {
            byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"meta-llama/Llama-3.1-70B-Instruct\",\"max_model_len\":8192}]}".getBytes();
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        api.start();
        Path script = tmp.resolve("bin").resolve("vllm");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "#!" + python + "\nimport time\ntime.sleep(120)\n");
        script.toFile().setExecutable(true);
        int port = api.getAddress().getPort();
        Process vllm = new ProcessBuilder(script.toString(), "serve", "meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "4",
                "--port", Integer.toString(port)).start();
        try {
            run("init", "--url", cp.url(), "--nostr-privkey", SK, "--no-advertise");
            StartCommand start = new StartCommand(o -> new FakeEngine("unused"), new BasicSpecsProvider());
            Thread t = startInBackground(start, "--engine", "vllm", "--engine-url", "http://127.0.0.1:" + port);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias("a heartbeat").until(() -> cp.lastHeartbeat() != null);
            JsonNode hb = cp.lastHeartbeat();
            assertEquals("[\"A\",\"B\"]", Json.compact(hb.at("/specs/workload_classes")), hb.toString());
            assertEquals("[\"meta-llama/Llama-3.1-70B-Instruct\"]", Json.compact(hb.at("/specs/served_models")));
            start.stop();
            t.join(15_000);
        } finally {
            vllm.destroyForcibly();
            api.stop(0);
        }
    }
}
