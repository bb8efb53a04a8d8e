package io.infernet.node.protocol.daemon;

import static io.infernet.node.protocol.daemon.DaemonHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.client.ControlPlaneException;
import io.infernet.node.protocol.testing.FakeEngine;
import io.infernet.node.protocol.testing.FakeOllama;
import io.infernet.node.protocol.testing.FakeRegistry;
import io.infernet.node.protocol.testing.FileServer;
import io.infernet.node.protocol.testing.TestGguf;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The daemon against a loopback control plane that verifies every signed request. */
class DaemonContractTest extends DaemonFixture {

    @Override
    FakeEngine newEngine() {
        return new FakeEngine("qwen2.5-0.5b-instruct", "llama-3.2-1b");
    }

    static Set<String> fields(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static JsonNode chatSpec(String text, int maxTokens) {
        ObjectNode spec = Json.object();
        spec.putArray("messages").addObject().put("role", "user").put("content", text);
        spec.put("max_tokens", maxTokens).put("temperature", 0.3);
        return spec;
    }

    @Test
    void registersHeartbeatsWithTheFullSpecsAndGoesOfflineOnClose() {
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("two heartbeats", () -> cp.requests("heartbeat").stream().filter(r -> r.status() == 200).count() >= 2);
        d.close();

        JsonNode reg = cp.requests("register").getFirst().body();
        assertEquals(Set.of("role", "node_id", "name", "address", "port", "specs"), fields(reg));
        assertEquals("provider", reg.get("role").asText());
        assertEquals("203.0.113.7", reg.get("address").asText());
        assertEquals(46337, reg.get("port").asInt());
        assertEquals(1, h.registrations.size());
        assertEquals("row-1", h.registrations.getFirst().id().asText());

        JsonNode hb = cp.requests("heartbeat").getFirst().body();
        assertEquals(Set.of("role", "status", "address", "port", "specs"), fields(hb));
        assertEquals("available", hb.get("status").asText());
        JsonNode specs = hb.get("specs");
        assertEquals(Set.of("cpu", "gpu_count", "gpus", "interconnects", "served_models", "load", "bench", "job_types", "workload_classes"), fields(specs));
        assertEquals(Set.of("vendor", "arch", "cores", "groups", "ram_gb"), fields(specs.get("cpu")));
        assertTrue(specs.at("/cpu/cores").asInt() >= 1);
        assertEquals(0, specs.get("gpu_count").asInt());
        assertTrue(specs.get("gpus").isArray());
        assertEquals(Set.of("nvlink", "xgmi", "infiniband", "efa", "rdma_capable"), fields(specs.get("interconnects")));
        assertEquals(Set.of("available", "topology", "link_count"), fields(specs.at("/interconnects/nvlink")));
        assertEquals(Set.of("available", "topology", "link_count"), fields(specs.at("/interconnects/xgmi")));
        assertEquals(Set.of("available", "active_port_count"), fields(specs.at("/interconnects/infiniband")));
        assertEquals(Set.of("available", "adapter_count"), fields(specs.at("/interconnects/efa")));
        assertEquals("[\"qwen2.5-0.5b-instruct\",\"llama-3.2-1b\"]", Json.compact(specs.get("served_models")));
        JsonNode load = specs.get("load");
        assertEquals(Set.of("active_jobs", "concurrency_cap", "load_avg_1m", "ram", "vram", "gpu_utilization_max", "measured_at"), fields(load));
        assertEquals(0, load.get("active_jobs").asInt());
        assertEquals(2, load.get("concurrency_cap").asInt());
        assertEquals(Set.of("total_gb", "free_gb"), fields(load.get("ram")));
        assertEquals(Set.of("total_gb", "free_gb"), fields(load.get("vram")));
        assertTrue(load.at("/ram/total_gb").asDouble() > 0);
        assertTrue(load.get("measured_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertEquals(Set.of("tokens_per_second_avg", "samples", "window_started_at"), fields(specs.get("bench")));
        assertEquals("[\"A\"]", Json.compact(specs.get("workload_classes")));

        var last = cp.requests("heartbeat").getLast();
        assertEquals("offline", last.body().get("status").asText());
        assertEquals(200, last.status());
    }

    @Test
    void noAdvertiseNeverSendsAddressOrPort() {
        NodeDaemon d = h.daemon(h.settings(false));
        d.start();
        await("a heartbeat", () -> cp.requests("heartbeat").size() >= 1);
        d.close();
        for (var r : cp.requests()) {
            if (r.body() != null && (r.route().equals("register") || r.route().equals("heartbeat"))) {
                assertFalse(r.body().has("address"), r.route());
                assertFalse(r.body().has("port"), r.route());
            }
        }
    }

    @Test
    void aChatJobIsPolledRunOnceStreamedAndCompleted() {
        engine.tokens = List.of("The", " sky", " is", " blue", ".");
        cp.addJob("job-1", "chat", "llama-3.2-1b", chatSpec("What colour is the sky?", 64));
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("completion", () -> !cp.jobCompletions("job-1").isEmpty());
        await("later polls", () -> cp.requests("jobs/poll").size() >= 4);
        await("bench in a heartbeat", () -> cp.lastHeartbeat() != null && cp.lastHeartbeat().at("/specs/bench/samples").asInt() == 1);
        d.close();

        List<String> types = cp.eventTypes("job-1");
        assertEquals("meta", types.getFirst());
        assertEquals("done", types.getLast());
        assertTrue(types.subList(1, types.size() - 1).stream().allMatch("token"::equals), types.toString());
        List<ObjectNode> events = cp.events("job-1");
        assertEquals("The sky is blue.", events.stream().filter(e -> e.get("event_type").asText().equals("token"))
                .map(e -> e.at("/data/text").asText()).collect(java.util.stream.Collectors.joining()));
        for (var r : cp.requests("jobs/{id}/events")) { // IPIP-0024: one token event per flush
            long tokens = java.util.stream.StreamSupport.stream(r.body().get("events").spliterator(), false)
                    .filter(e -> e.get("event_type").asText().equals("token")).count();
            assertTrue(tokens <= 1, "a flush with " + tokens + " token events");
        }
        assertEquals("llama-3.2-1b", events.getFirst().at("/data/model").asText());
        assertEquals(h.settings(true).provider().nodeId(), events.getFirst().at("/data/provider_node_id").asText());
        assertEquals("test-node", events.getFirst().at("/data/provider_name").asText());
        assertEquals("The sky is blue.", events.getLast().at("/data/text").asText());
        assertEquals("stop", events.getLast().at("/data/reason").asText());
        ObjectNode c = cp.jobCompletions("job-1").getFirst();
        assertEquals(1, cp.jobCompletions("job-1").size());
        assertEquals("completed", c.get("status").asText());
        assertEquals(Set.of("type", "text", "token_count", "duration_ms", "completed_by"), fields(c.get("result")));
        assertEquals("The sky is blue.", c.at("/result/text").asText());
        assertEquals(5, c.at("/result/token_count").asInt());
        assertEquals(1, engine.requests().size(), "polled again while running, but run once");
        assertEquals("llama-3.2-1b", engine.requests().getFirst().model());
        assertTrue(cp.lastHeartbeat().at("/specs/bench/tokens_per_second_avg").asDouble() > 0);
        assertNotNull(cp.lastHeartbeat().at("/specs/bench/window_started_at").textValue());
    }

    @Test
    void anEmbedJobReturnsOneVectorPerInputAndAnEmptyTextFailsIt() {
        ObjectNode spec = Json.object();
        spec.putArray("input").add("ab").add("xyz");
        cp.addJob("emb-1", "embed", "llama-3.2-1b", spec);
        ObjectNode bad = Json.object();
        bad.putArray("input").add("");
        cp.addJob("emb-2", "embed", "llama-3.2-1b", bad);
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("both completions", () -> !cp.jobCompletions("emb-1").isEmpty() && !cp.jobCompletions("emb-2").isEmpty());
        d.close();
        ObjectNode c = cp.jobCompletions("emb-1").getFirst();
        assertEquals("completed", c.get("status").asText());
        assertEquals("embed", c.at("/result/type").asText());
        assertEquals(2, c.at("/result/embeddings").size());
        assertEquals(3.0, c.at("/result/embeddings/1/0").asDouble());
        assertEquals((double) 'x', c.at("/result/embeddings/1/1").asDouble());
        assertEquals(5, c.at("/result/prompt_tokens").asInt());
        assertEquals("failed", cp.jobCompletions("emb-2").getFirst().get("status").asText());
        assertTrue(cp.lastHeartbeat().at("/specs/job_types").toString().contains("embed"));
    }

    @Test
    void commandsInstallResumeRemoveAndRefuse() throws Exception {
        try (FileServer files = new FileServer()) {
            byte[] gguf = TestGguf.minimal(200_000);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(gguf));
            files.put("/tiny.gguf", gguf);
            files.cutAfter(50_000); // the first transfer stalls and is abandoned
            cp.addCommand("c1", "model_install", Json.object().put("model", files.url("/tiny.gguf")).put("sha256", sha));
            NodeDaemon d = h.daemon(h.settings(true));
            d.start();
            await("c1 completion", () -> !cp.commandCompletions("c1").isEmpty());
            ObjectNode c1 = cp.commandCompletions("c1").getFirst();
            assertEquals("failed", c1.get("status").asText());
            assertTrue(c1.get("error").asText().contains("run model_install again to resume"), c1.toString());

            cp.addCommand("c2", "model_install", Json.object().put("model", files.url("/tiny.gguf")).put("sha256", sha));
            await("c2 completion", () -> !cp.commandCompletions("c2").isEmpty());
            ObjectNode c2 = cp.commandCompletions("c2").getFirst();
            assertEquals("completed", c2.get("status").asText(), c2.toString());
            assertEquals(Set.of("stdout", "stderr", "code"), fields(c2.get("result")));
            assertEquals(0, c2.at("/result/code").asInt());
            assertTrue(c2.at("/result/stdout").asText().contains("resuming tiny.gguf"), c2.toString());
            assertTrue(files.rangeHeaders().getLast().startsWith("bytes="));
            assertEquals(List.of("tiny.gguf"), h.store.list());
            assertEquals(gguf.length, Files.size(h.store.pathOf("tiny.gguf")));

            cp.addCommand("c3", "model_remove", Json.object().put("model", "tiny.gguf"));
            cp.addCommand("c4", "reboot", Json.object());
            cp.addCommand("c5", "model_remove", Json.object().put("model", "../config.json"));
            await("c5 completion", () -> !cp.commandCompletions("c5").isEmpty());
            d.close();
            assertEquals("completed", cp.commandCompletions("c3").getFirst().get("status").asText());
            assertTrue(h.store.list().isEmpty());
            assertEquals("unknown command: reboot (this node runs model_install and model_remove)",
                    cp.commandCompletions("c4").getFirst().get("error").asText());
            assertEquals("failed", cp.commandCompletions("c5").getFirst().get("status").asText());
            assertFalse(Files.exists(tmp.resolve("models").resolve("..").resolve("config.json")));
        }
    }

    /**
     * The dashboard's "Push model" (apps/web/components/push-model-button.js sends
     * {@code model_install {model: "qwen2.5:0.5b"}}; apps/cli/commands/start.js pulls it): the
     * model comes from the registry, is served and appears in served_models at once (an
     * immediate heartbeat, not the next period's), its progress goes to commands/{id}/progress
     * where the control plane takes it, and model_remove takes it out again.
     */
    @Test
    void anInstalledModelIsServedAndAdvertisedAtOnceAndRemovedAgain() throws Exception {
        try (FakeRegistry registry = new FakeRegistry()) {
            registry.publish("library/qwen2.5", "0.5b", TestGguf.minimal(100_000));
            h.registryRoot = registry.root();
            cp.acceptProgress();
            NodeDaemon d = h.daemon(h.settings(true).withIntervals(Duration.ofHours(1), Duration.ofMillis(100), Duration.ofMillis(100)));
            d.start();
            await("the first heartbeat", () -> cp.lastHeartbeat() != null);
            assertEquals("[\"qwen2.5-0.5b-instruct\",\"llama-3.2-1b\"]", Json.compact(cp.lastHeartbeat().at("/specs/served_models")));
            cp.addCommand("push", "model_install", Json.object().put("model", "qwen2.5:0.5b"));
            await("a heartbeat advertising the new model", () -> cp.lastHeartbeat().at("/specs/served_models").toString().contains("qwen2.5:0.5b"));
            assertEquals(2, cp.requests("heartbeat").size(), "the period is an hour: this heartbeat came right after the install");
            assertEquals("completed", cp.commandCompletions("push").getFirst().get("status").asText());
            assertEquals(h.store.pathOf("qwen2.5@0.5b.gguf"), engine.files.get("qwen2.5:0.5b"), "the engine serves the installed file");
            List<String> statuses = cp.commandProgress("push").stream().map(p -> p.get("status").asText()).toList();
            assertEquals(List.of("pulling manifest", "downloading", "verifying sha256 digest", "checking the model", "success"),
                    statuses.stream().distinct().toList());
            assertTrue(cp.commandProgress("push").stream().allMatch(p -> p.get("model").asText().equals("qwen2.5:0.5b")));

            cp.addCommand("rm", "model_remove", Json.object().put("model", "qwen2.5:0.5b"));
            await("a heartbeat without it", () -> !cp.lastHeartbeat().at("/specs/served_models").toString().contains("qwen2.5:0.5b"));
            d.close();
            assertEquals("completed", cp.commandCompletions("rm").getFirst().get("status").asText());
            assertTrue(h.store.entries().isEmpty());
        }
    }

    /**
     * With Ollama as the engine, installs and removals go through Ollama, as the reference's node
     * runs {@code ollama pull} and {@code ollama rm} (apps/cli/commands/start.js runNodeCommand);
     * Ollama's pull progress is posted in its own fields, and served_models (Ollama's tags)
     * changes in an immediate heartbeat.
     */
    @Test
    void withOllamaAsTheEngineModelsArePulledAndRemovedThroughIt() throws Exception {
        try (FakeOllama ollama = new FakeOllama("llama3.2:3b")) {
            ollama.missing.add("nosuch:1b");
            var engine = new io.infernet.engines.ollama.OllamaEngine(io.infernet.engines.remote.Endpoint.parse(ollama.url(), 11434, null),
                    io.infernet.engines.ollama.OllamaOptions.defaults());
            DaemonHarness oh = new DaemonHarness(cp, null, tmp.resolve("ollama-node"));
            cp.acceptProgress();
            NodeDaemon d = oh.daemon(oh.settings(true).withIntervals(Duration.ofHours(1), Duration.ofMillis(100), Duration.ofMillis(100)), engine);
            d.start();
            await("the first heartbeat", () -> cp.lastHeartbeat() != null);
            cp.addCommand("pull", "model_install", Json.object().put("model", "qwen2.5:7b"));
            await("served_models has it at once", () -> cp.lastHeartbeat().at("/specs/served_models").toString().contains("qwen2.5:7b"));
            assertEquals(List.of("qwen2.5:7b"), ollama.pulls);
            ObjectNode done = cp.commandCompletions("pull").getFirst();
            assertEquals("completed", done.get("status").asText());
            assertEquals("pulled qwen2.5:7b through the Ollama server at " + ollama.url(), done.at("/result/stdout").asText());
            JsonNode layer = cp.commandProgress("pull").stream().filter(p -> p.has("total")).toList().getLast();
            assertEquals(1000, layer.get("total").asInt());
            assertTrue(layer.get("digest").asText().startsWith("sha256:6a0746a1ec1a"));
            assertEquals("success", cp.commandProgress("pull").getLast().get("status").asText());

            cp.addCommand("missing", "model_install", Json.object().put("model", "nosuch:1b"));
            cp.addCommand("rm", "model_remove", Json.object().put("model", "llama3.2:3b"));
            await("both done", () -> !cp.commandCompletions("missing").isEmpty() && !cp.commandCompletions("rm").isEmpty());
            await("served_models lost it", () -> !cp.lastHeartbeat().at("/specs/served_models").toString().contains("llama3.2:3b"));
            d.close();
            assertTrue(cp.commandCompletions("missing").getFirst().get("error").asText().contains("file does not exist"));
            assertEquals("completed", cp.commandCompletions("rm").getFirst().get("status").asText());
            assertEquals(List.of("llama3.2:3b"), ollama.deletes);
            assertTrue(oh.store.entries().isEmpty(), "nothing went into the node's own store");
        }
    }

    /**
     * Jobs for several models on one node: the control plane routes by served_models
     * (apps/web/lib/data/chat.js pickChatProvider), and each job's model_name reaches its own
     * model, loaded on demand; a job naming none goes to the default.
     */
    @Test
    void jobsForSeveralModelsReachEachModel() throws Exception {
        List<String> loaded = new java.util.concurrent.CopyOnWriteArrayList<>();
        var multi = new io.infernet.engines.inprocess.MultiModelEngine((name, file) -> {
            loaded.add(name);
            FakeEngine e = new FakeEngine(name + "-inner");
            e.tokens = List.of("from ", name);
            return e;
        }, file -> new io.infernet.engines.inprocess.MultiModelEngine.Profile(1, 4096, false), 10);
        multi.put("qwen2.5:7b", tmp.resolve("q.gguf"), false);
        multi.put("llama3.2:3b", tmp.resolve("l.gguf"), false);
        cp.addJob("j1", "chat", "llama3.2:3b", chatSpec("hi", 8));
        cp.addJob("j2", "chat", null, chatSpec("hi", 8));
        NodeDaemon d = h.daemon(h.settings(true), multi);
        d.start();
        await("both jobs completed", () -> !cp.jobCompletions("j1").isEmpty() && !cp.jobCompletions("j2").isEmpty());
        await("a heartbeat", () -> cp.lastHeartbeat() != null);
        d.close();
        multi.close();
        assertEquals("[\"qwen2.5:7b\",\"llama3.2:3b\"]", Json.compact(cp.lastHeartbeat().at("/specs/served_models")));
        assertEquals("from llama3.2:3b", cp.jobCompletions("j1").getFirst().at("/result/text").asText());
        assertEquals("llama3.2:3b", cp.events("j1").getFirst().at("/data/model").asText(), "meta names the served model");
        assertEquals("from qwen2.5:7b", cp.jobCompletions("j2").getFirst().at("/result/text").asText(), "no model named: the default");
        assertEquals(java.util.Set.of("qwen2.5:7b", "llama3.2:3b"), java.util.Set.copyOf(loaded));
    }

    /** Against the reference's control plane (no progress route: 404), progress is tried once and the install goes on. */
    @Test
    void progressStopsAfterTheReferencesNotFound() throws Exception {
        try (FakeRegistry registry = new FakeRegistry()) {
            registry.publish("library/tiny", "1", TestGguf.minimal(1000));
            registry.publish("library/tiny", "2", TestGguf.minimal(2000));
            h.registryRoot = registry.root();
            NodeDaemon d = h.daemon(h.settings(true));
            d.start();
            cp.addCommand("a", "model_install", Json.object().put("model", "tiny:1"));
            cp.addCommand("b", "model_install", Json.object().put("model", "tiny:2"));
            await("both installed", () -> !cp.commandCompletions("a").isEmpty() && !cp.commandCompletions("b").isEmpty());
            d.close();
            assertEquals("completed", cp.commandCompletions("b").getFirst().get("status").asText());
            assertEquals(1, cp.requests("commands/{id}/progress").size(), "one 404, then no more posts");
            assertEquals(404, cp.requests("commands/{id}/progress").getFirst().status());
        }
    }

    @Test
    void aRefusedRegistrationFailsStart() throws Exception {
        // Another key holds this node id already.
        DaemonHarness other = new DaemonHarness(cp, engine, tmp.resolve("other"));
        other.client().register(Json.object().put("role", "provider").put("node_id", h.settings(true).provider().nodeId()).put("name", "x"));
        NodeDaemon d = h.daemon(h.settings(true));
        var e = assertThrows(ControlPlaneException.class, d::start);
        assertEquals(403, e.status());
    }

    @Test
    void aForgottenNodeRegistersAgain() {
        NodeDaemon d = h.daemon(h.settings(true));
        d.start();
        await("first heartbeat", () -> cp.lastHeartbeat() != null);
        h.client().remove("provider");
        await("re-registration", () -> h.registrations.size() >= 2);
        await("heartbeats again", () -> cp.requests("heartbeat").stream().filter(r -> r.status() == 200).count() >= 3);
        d.close();
    }
}
