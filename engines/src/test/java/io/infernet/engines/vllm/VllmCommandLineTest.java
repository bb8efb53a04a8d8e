package io.infernet.engines.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** vLLM and Ray command lines and the children's environments, as exact values. */
class VllmCommandLineTest {

    private static final VllmConfig QWEN = VllmConfig.of("Qwen/Qwen2.5-7B-Instruct");

    @Test
    void oneGpu() {
        LaunchPlan p = VllmCommandLine.plan(QWEN, RayConfig.NONE, NcclFabrics.NONE);
        assertEquals(List.of("vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--tensor-parallel-size", "1", "--pipeline-parallel-size", "1",
                "--host", "127.0.0.1", "--port", "8000", "--gpu-memory-utilization", "0.9", "--served-model-name", "Qwen/Qwen2.5-7B-Instruct"), p.serve());
        assertEquals(List.of(), p.rayStart());
        assertEquals(List.of(), p.environment());
        assertEquals(List.of("A"), p.workloadClasses());
    }

    @Test
    void tensorAndPipelineParallelAdvertiseClassB() {
        VllmConfig c = new VllmConfig("meta-llama/Llama-3.1-70B-Instruct", 4, 2, "0.0.0.0", 8001, 16384, 0.925, "llama-70b", null,
                List.of("--enable-prefix-caching"));
        LaunchPlan p = VllmCommandLine.plan(c, RayConfig.NONE, new NcclFabrics(true, false, false, null));
        assertEquals(List.of("vllm", "serve", "meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "4", "--pipeline-parallel-size", "2",
                "--host", "0.0.0.0", "--port", "8001", "--max-model-len", "16384", "--gpu-memory-utilization", "0.925",
                "--served-model-name", "llama-70b", "--enable-prefix-caching"), p.serve());
        assertEquals(List.of("NCCL_P2P_DISABLE=0"), p.environment().stream().map(EnvVar::shown).toList());
        assertEquals(8, c.gpus());
        assertEquals(List.of("A", "B"), p.workloadClasses());
    }

    @Test
    void aRayHeadStartsRayThenServesOnIt() {
        RayConfig head = RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "head"));
        LaunchPlan p = VllmCommandLine.plan(QWEN.withParallel(8, 2), head, new NcclFabrics(true, true, false, "ib0"));
        assertEquals(List.of("ray", "start", "--head", "--port=6379"), p.rayStart());
        assertFalse(p.rayBlocks());
        assertEquals(List.of("--distributed-executor-backend", "ray"), p.serve().subList(p.serve().size() - 2, p.serve().size()));
        assertEquals(List.of("NCCL_P2P_DISABLE=0", "NCCL_IB_DISABLE=0", "NCCL_NET_GDR_LEVEL=PHB", "NCCL_SOCKET_IFNAME=ib0", "GLOO_SOCKET_IFNAME=ib0"),
                p.environment().stream().map(EnvVar::shown).toList());
        p.environment().forEach(v -> assertFalse(v.purpose().isBlank(), v.name() + " says why"));
    }

    @Test
    void aRayWorkerOnlyJoinsAndBlocks() {
        RayConfig worker = RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "worker", "INFERNET_RAY_HEAD", "10.0.0.5:6380"));
        LaunchPlan p = VllmCommandLine.plan(QWEN.withParallel(8, 2), worker, new NcclFabrics(false, false, true, null));
        assertEquals(List.of("ray", "start", "--address=10.0.0.5:6380", "--block"), p.rayStart());
        assertTrue(p.rayBlocks());
        assertEquals(List.of(), p.serve());
        assertEquals(List.of("FI_PROVIDER=efa", "FI_EFA_USE_DEVICE_RDMA=1", "FI_EFA_FORK_SAFE=1"), p.environment().stream().map(EnvVar::shown).toList());
        assertEquals(List.of(), p.workloadClasses(), "the head advertises the model, not the worker");
    }

    @Test
    void multiNodeWithoutRdmaUsesSockets() {
        LaunchPlan p = VllmCommandLine.plan(QWEN, RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "HEAD", "INFERNET_RAY_PORT", "7000")), NcclFabrics.NONE);
        assertEquals(List.of("ray", "start", "--head", "--port=7000"), p.rayStart());
        assertEquals(List.of("NCCL_IB_DISABLE=1"), p.environment().stream().map(EnvVar::shown).toList());
    }

    @Test
    void rayEnvironmentIsChecked() {
        assertEquals(RayConfig.NONE, RayConfig.fromEnv(Map.of()));
        assertEquals("gpu-head:6379", RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "worker", "INFERNET_RAY_HEAD", "gpu-head")).headAddress());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "worker")))
                .getMessage().contains("INFERNET_RAY_HEAD=host:port"));
        assertThrows(IllegalArgumentException.class, () -> RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "leader")));
        assertThrows(IllegalArgumentException.class, () -> RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "head", "INFERNET_RAY_PORT", "x")));
    }

    @Test
    void theApiKeyGoesInTheEnvironmentNeverOnTheCommandLine() {
        LaunchPlan p = VllmCommandLine.plan(QWEN.withApiKey("sk-live-123"), RayConfig.NONE, NcclFabrics.NONE);
        assertFalse(String.join(" ", p.serve()).contains("sk-live-123"));
        EnvVar key = p.environment().getLast();
        assertEquals("VLLM_API_KEY=***", key.shown());
        assertEquals("sk-live-123", p.childEnvironment(Map.of()).get("VLLM_API_KEY"));
        assertFalse(QWEN.withApiKey("sk-live-123").toString().contains("sk-live-123"));
    }

    @Test
    void theOperatorsOwnVariablesWin() {
        LaunchPlan p = VllmCommandLine.plan(QWEN, RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "head")), new NcclFabrics(false, true, false, "eth0"));
        Map<String, String> parent = Map.of("NCCL_SOCKET_IFNAME", "bond0", "PATH", "/usr/bin");
        Map<String, String> child = p.childEnvironment(parent);
        assertEquals("bond0", child.get("NCCL_SOCKET_IFNAME"));
        assertEquals("eth0", child.get("GLOO_SOCKET_IFNAME"));
        assertEquals("/usr/bin", child.get("PATH"));
        assertEquals(List.of("NCCL_IB_DISABLE", "NCCL_NET_GDR_LEVEL", "GLOO_SOCKET_IFNAME"), p.addedTo(parent).stream().map(EnvVar::name).toList());
    }

    @Test
    void badSettingsAreRefusedWithTheirNames() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QWEN.withParallel(0, 1)).getMessage().startsWith("--tp"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VllmConfig("m", 1, 1, "h", 8000, 0, 1.5, null, null, List.of()))
                .getMessage().startsWith("--gpu-memory-utilization"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QWEN.withPort(70000)).getMessage().startsWith("--port"));
        assertThrows(IllegalArgumentException.class, () -> VllmConfig.of(" "));
        assertThrows(IllegalArgumentException.class, () -> new NcclFabrics(false, false, false, "eth0; rm -rf /"));
    }

    @Test
    void logLinesThatExplainAFailure() {
        assertTrue(LogDiagnosis.of("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB").orElseThrow().contains("does not fit in GPU memory"));
        assertTrue(LogDiagnosis.of("ValueError: To serve at least one request with the models's max seq len (32768), (4.00 GiB KV cache is needed, "
                + "which is larger than the available KV cache memory (1.50 GiB).").orElseThrow().startsWith("the KV cache cannot hold --max-model-len"));
        assertTrue(LogDiagnosis.of("ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`")
                .orElseThrow().startsWith("no GPU memory is left for the KV cache"));
        assertTrue(LogDiagnosis.of("RuntimeError: Failed to infer device type").orElseThrow().contains("no usable GPU"));
        assertTrue(LogDiagnosis.of("ValueError: Total number of attention heads (28) must be divisible by tensor parallel size (3).").orElseThrow()
                .contains("--tp"));
        assertTrue(LogDiagnosis.of("OSError: [Errno 98] Address already in use").orElseThrow().contains("--port"));
        assertTrue(LogDiagnosis.of("INFO 05-14 Automatically detected platform cuda.").isEmpty());
    }
}
