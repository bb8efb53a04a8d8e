package io.infernet.engines.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.remote.HttpProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against real child processes: {@code vllm} and {@code ray} on a PATH of this
 * test's own making, the first running {@link FakeVllm} in a fresh JVM, the second a shell
 * script that records what it was asked.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
@Tag("slow")
class VllmLauncherTest {

    @TempDir
    Path dir;

    private Path record;
    private Path rayLog;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void tools() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(FakeVllm.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        script(bin.resolve("vllm"), "#!/bin/sh\nexec '" + java + "' -Xmx64m -XX:TieredStopAtLevel=1 -cp '" + classes + "' "
                + FakeVllm.class.getName() + " \"$@\"\n");
        script(bin.resolve("ray"), """
                #!/bin/sh
                echo "$*" >> "$FAKE_RAY_LOG"
                if [ "$1" = "stop" ]; then echo "Stopped all 5 Ray processes."; exit 0; fi
                if [ -n "$FAKE_RAY_FAIL" ]; then echo "ConnectionError: Could not find any running Ray instance."; exit 1; fi
                echo "Ray runtime started."
                case "$*" in *--block*) exec sleep 600;; esac
                exit 0
                """);
        record = dir.resolve("vllm-record.txt");
        rayLog = dir.resolve("ray-log.txt");
    }

    private static void script(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Map<String, String> env(String mode) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        env.put("FAKE_VLLM_MODE", mode);
        env.put("FAKE_VLLM_RECORD", record.toString());
        env.put("FAKE_RAY_LOG", rayLog.toString());
        return env;
    }

    private VllmLauncher launcher(Map<String, String> env) {
        return new VllmLauncher(env, lines::add, Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static VllmConfig config(int port) {
        return new VllmConfig("Qwen/Qwen2.5-0.5B-Instruct", 2, 1, "127.0.0.1", port, 4096, 0.8, "qwen-small", null, List.of());
    }

    private long recordedPid() throws IOException {
        return Long.parseLong(Files.readAllLines(record).getFirst().substring("pid=".length()));
    }

    /** Starts vLLM without Ray on {@code port} through {@link #launcher}, expecting the start to fail within {@code wait}. */
    private LaunchException launchFails(Map<String, String> env, int port, Duration wait) {
        return assertThrows(LaunchException.class,
                () -> launcher(env).start(VllmCommandLine.plan(config(port), RayConfig.NONE, NcclFabrics.NONE), wait));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void startsWaitsUntilItAnswersAndStopsItWithItsChildren() throws Exception {
        int port = freePort();
        Map<String, String> env = env("ok");
        env.put("FAKE_VLLM_GRANDCHILD", "1");
        env.put("FAKE_VLLM_DELAY_MS", "1500");
        LaunchPlan plan = VllmCommandLine.plan(config(port).withApiKey("sk-abc-987"), RayConfig.NONE, new NcclFabrics(true, false, false, "lo"));
        long grandchild;
        try (VllmProcess p = launcher(env).start(plan, Duration.ofSeconds(60))) {
            assertTrue(p.isAlive());
            assertEquals(List.of("A", "B"), p.workloadClasses());
            assertTrue(HttpProbe.get(p.endpoint().orElseThrow(), "/v1/models", Duration.ofSeconds(2)).ok(), "it answers, with the key");
            List<String> rec = Files.readAllLines(record);
            assertEquals("serve Qwen/Qwen2.5-0.5B-Instruct --tensor-parallel-size 2 --pipeline-parallel-size 1 --host 127.0.0.1 --port " + port
                    + " --max-model-len 4096 --gpu-memory-utilization 0.8 --served-model-name qwen-small", rec.get(1));
            assertEquals("key=sk-abc-987", rec.get(2), "the key reaches vLLM through its environment");
            assertEquals("NCCL_SOCKET_IFNAME=lo", rec.get(3));
            assertTrue(lines.stream().anyMatch(l -> l.contains("Uvicorn running")), "its log is streamed: " + lines);
            assertTrue(lines.stream().anyMatch(l -> l.equals("DEBUG echo of a secret: ***")), "a key it prints is masked: " + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains("sk-abc-987")));
            grandchild = Long.parseLong(lines.stream().filter(l -> l.startsWith("grandchild ")).findFirst().orElseThrow().substring(11));
            assertTrue(alive(grandchild));
        }
        assertFalse(alive(recordedPid()), "vLLM is stopped");
        assertFalse(alive(grandchild), "and so are its children");
    }

    @Test
    void outOfMemoryIsSaidPlainly() throws Exception {
        LaunchException e = launchFails(env("oom"), freePort(), Duration.ofSeconds(60));
        assertTrue(e.getMessage().startsWith("vllm exited with code 1 before it answered"), e.getMessage());
        assertTrue(e.getMessage().contains("the model does not fit in GPU memory"), e.getMessage());
        assertTrue(e.getMessage().contains("torch.OutOfMemoryError: CUDA out of memory"), "the last lines are quoted: " + e.getMessage());
    }

    @Test
    void aKvCacheTooSmallForTheContextIsSaidPlainly() throws Exception {
        LaunchException e = launchFails(env("kv"), freePort(), Duration.ofSeconds(60));
        assertTrue(e.getMessage().contains("the KV cache cannot hold --max-model-len tokens"), e.getMessage());
    }

    @Test
    void anUnknownEarlyExitReportsItsCodeAndLastLines() throws Exception {
        LaunchException e = launchFails(env("exit"), freePort(), Duration.ofSeconds(60));
        assertTrue(e.getMessage().startsWith("vllm exited with code 3 before it answered"), e.getMessage());
        assertTrue(e.getMessage().endsWith("  RuntimeError: something nobody has seen before"), e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndIsStopped() throws Exception {
        LaunchException e = launchFails(env("hang"), freePort(), Duration.ofSeconds(3));
        assertTrue(e.getMessage().contains("did not answer http://127.0.0.1:"), e.getMessage());
        assertTrue(e.getMessage().contains("within 3 s"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(the node stopped it)"), e.getMessage());
        assertFalse(alive(recordedPid()));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("waiting for vllm to answer")), "progress while waiting: " + lines);
    }

    @Test
    void aChildThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        VllmLauncher l = new VllmLauncher(env("stubborn"), lines::add, Duration.ofSeconds(1), Duration.ofSeconds(1));
        VllmProcess p = l.start(VllmCommandLine.plan(config(freePort()), RayConfig.NONE, NcclFabrics.NONE), Duration.ofSeconds(60));
        long pid = p.pid();
        p.close();
        assertFalse(alive(pid));
        assertTrue(lines.contains("ignoring SIGTERM"), "it was asked first: " + lines);
        p.close(); // idempotent
    }

    @Test
    void aMissingVllmIsNamedBeforeAnythingStarts() {
        Map<String, String> env = env("ok");
        env.put("PATH", "/usr/bin:/bin");
        LaunchException e = launchFails(env, 8000, Duration.ofSeconds(5));
        assertTrue(e.getMessage().startsWith("'vllm' is not on PATH, so it cannot be started: install vLLM (pip install vllm)"), e.getMessage());
        assertFalse(Files.exists(record));
    }

    @Test
    void aPortInUseIsNamedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            LaunchException e = launchFails(env("ok"), port, Duration.ofSeconds(5));
            assertTrue(e.getMessage().startsWith("port " + port + " on 127.0.0.1 is already in use"), e.getMessage());
            assertFalse(Files.exists(record));
        }
    }

    @Test
    void aRayHeadStartsRayFirstAndStopsItLast() throws Exception {
        RayConfig head = RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "head", "INFERNET_RAY_PORT", "6390"));
        try (VllmProcess p = launcher(env("ok")).start(VllmCommandLine.plan(config(freePort()), head, NcclFabrics.NONE), Duration.ofSeconds(60))) {
            assertEquals(List.of("start --head --port=6390"), Files.readAllLines(rayLog));
            assertTrue(Files.readAllLines(record).get(1).endsWith("--distributed-executor-backend ray"));
            assertTrue(p.isAlive());
        }
        assertEquals(List.of("start --head --port=6390", "stop"), Files.readAllLines(rayLog));
    }

    @Test
    void aFailingRayHeadStopsTheLaunch() {
        Map<String, String> env = env("ok");
        env.put("FAKE_RAY_FAIL", "1");
        LaunchException e = assertThrows(LaunchException.class, () -> launcher(env).start(
                VllmCommandLine.plan(config(freePort()), RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "head")), NcclFabrics.NONE), Duration.ofSeconds(30)));
        assertTrue(e.getMessage().startsWith("'ray start --head' failed with exit code 1: cannot reach the Ray head"), e.getMessage());
        assertFalse(Files.exists(record), "vLLM was not started");
    }

    @Test
    void aRayWorkerJoinsAndStaysUntilStopped() throws Exception {
        RayConfig worker = RayConfig.fromEnv(Map.of("INFERNET_RAY_MODE", "worker", "INFERNET_RAY_HEAD", "10.0.0.5:6379"));
        VllmProcess p = launcher(env("ok")).start(VllmCommandLine.plan(config(8000), worker, NcclFabrics.NONE), Duration.ofSeconds(30));
        assertTrue(p.isAlive());
        assertTrue(p.endpoint().isEmpty());
        assertEquals(List.of(), p.workloadClasses());
        p.close();
        assertFalse(p.isAlive());
        assertEquals(List.of("start --address=10.0.0.5:6379 --block", "stop"), Files.readAllLines(rayLog));
    }
}
