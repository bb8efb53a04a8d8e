package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.infernet.hardware.GpuLinks;
import io.infernet.hardware.Interconnects;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code infernet engines} against a loopback Ollama, and {@code infernet vllm --dry-run}. */
class EngineCommandsTest {

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static HttpServer ollama() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/api/tags", ex -> {
            byte[] b = "{\"models\":[{\"name\":\"llama3.2:3b\",\"model\":\"llama3.2:3b\"}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        return s;
    }

    @Test
    void enginesShowsWhatAnsweredAndWhatServes() throws Exception {
        HttpServer o = ollama();
        try {
            int vllm = closedPort();
            int llama = closedPort();
            Map<String, String> env = Map.of("VLLM_HOST", "127.0.0.1:" + vllm, "LLAMACPP_HOST", "127.0.0.1:" + llama,
                    "OLLAMA_HOST", "127.0.0.1:" + o.getAddress().getPort());
            CliRun r = CliRun.command(new EnginesCommand(env), "--model", "/models/qwen.gguf");
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            assertEquals("Engines, in selection order (probe: GET within 500 ms)", lines.getFirst());
            assertTrue(lines.get(1).startsWith("  vllm       http://127.0.0.1:" + vllm), lines.get(1));
            assertTrue(lines.get(1).contains("down") && lines.get(1).endsWith("(VLLM_HOST) connection refused (is it running?)"), lines.get(1));
            assertTrue(lines.get(3).contains("up") && lines.get(3).endsWith("(OLLAMA_HOST) models: llama3.2:3b"), lines.get(3));
            assertTrue(lines.get(4).startsWith("  in-process") && lines.get(4).endsWith("would load /models/qwen.gguf"), lines.get(4));
            assertTrue(r.out().contains("Selected: ollama at http://127.0.0.1:" + o.getAddress().getPort()), r.out());
            assertTrue(r.out().contains("llama3.2:3b") && r.out().contains("served"), r.out());

            CliRun j = CliRun.command(new EnginesCommand(env), "--json", "--own-port", Integer.toString(o.getAddress().getPort()));
            JsonNode n = new ObjectMapper().readTree(j.out());
            assertEquals("in-process", n.get("selected").asText(), "our own port is never selected");
            assertEquals("excluded", n.at("/probes/2/state").asText());
            assertTrue(n.at("/in_process/would_load").asText().startsWith("the built-in demo model"));
        } finally {
            o.stop(0);
        }
    }

    @Test
    void enginesRefusesABadSettingAsAUsageError() {
        CliRun r = CliRun.command(new EnginesCommand(Map.of()), "--engine", "tgi");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: unknown engine 'tgi'"), r.err());
    }

    private static Interconnects fabric(boolean nvlink, int ibPorts, int roce, List<String> efa) {
        GpuLinks links = nvlink ? new GpuLinks(true, "all-to-all", 6, OptionalInt.empty()) : GpuLinks.NONE;
        return new Interconnects(links, GpuLinks.NONE, new Interconnects.InfiniBand(ibPorts, List.of()), new Interconnects.Efa(efa), roce,
                ibPorts > 0 || roce > 0 || !efa.isEmpty(), List.of());
    }

    @Test
    void vllmDryRunPrintsTheExactCommandsAndEnvironment() {
        Map<String, String> env = Map.of("INFERNET_RAY_MODE", "head", "INFERNET_RAY_PORT", "6380", "NCCL_NET_GDR_LEVEL", "SYS");
        CliRun r = CliRun.command(new VllmCommand(env, () -> fabric(true, 0, 2, List.of())), "--model", "meta-llama/Llama-3.1-70B-Instruct", "--tp", "4",
                "--pp", "2", "--port", "8001", "--served-model-name", "llama 70b", "--api-key", "sk-do-not-print", "--dry-run",
                "--", "--enable-prefix-caching");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
                "# environment added to the node's own",
                "NCCL_P2P_DISABLE=0  # GPU-to-GPU copies go peer to peer over NVLink (some images turn P2P off for PCIe-only cards)",
                "NCCL_IB_DISABLE=0  # NCCL uses the InfiniBand/RoCE verbs transport between machines",
                "VLLM_API_KEY=***  # the key clients must send (kept off the command line)",
                "# NCCL_NET_GDR_LEVEL is already set in the environment and is left as it is",
                "# Ray head (starts Ray's daemons and returns)",
                "ray start --head --port=6380",
                "# vLLM",
                "vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 4 --pipeline-parallel-size 2 --host 127.0.0.1 --port 8001 "
                        + "--gpu-memory-utilization 0.9 --served-model-name 'llama 70b' --distributed-executor-backend ray --enable-prefix-caching",
                "# workload classes advertised while it runs: A, B"), r.out().lines().toList());
        assertFalse(r.out().contains("sk-do-not-print"));
    }

    @Test
    void vllmOnOneGpuIsClassAOnly() {
        CliRun r = CliRun.command(new VllmCommand(Map.of(), () -> fabric(false, 0, 0, List.of())), "--model", "Qwen/Qwen2.5-7B-Instruct", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("# environment added to the node's own: none"), r.out());
        assertTrue(r.out().endsWith("# workload classes advertised while it runs: A\n"), r.out());
    }

    @Test
    void vllmBadOptionsAreUsageErrors() {
        CliRun r = CliRun.command(new VllmCommand(Map.of(), () -> fabric(false, 0, 0, List.of())), "--model", "m", "--gpu-memory-utilization", "1.5", "--dry-run");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: --gpu-memory-utilization must be in (0, 1]"), r.err());
        r = CliRun.command(new VllmCommand(Map.of("INFERNET_RAY_MODE", "worker"), () -> fabric(false, 0, 0, List.of())), "--model", "m", "--dry-run");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("INFERNET_RAY_HEAD=host:port"), r.err());
    }

    @Test
    void vllmMissingIsAClearError() {
        CliRun r = CliRun.command(new VllmCommand(Map.of("PATH", "/nonexistent"), () -> fabric(false, 0, 0, List.of())), "--model", "m", "--port", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: 'vllm' is not on PATH"), r.err());
    }
}
