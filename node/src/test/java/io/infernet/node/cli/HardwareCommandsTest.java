package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.hardware.BackendDeviceSource;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.JvmFacts;
import io.infernet.hardware.OsKind;
import io.infernet.hardware.SystemPaths;
import io.infernet.hardware.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code infernet gpu} and {@code infernet doctor} on a fixture machine: a bare 2-core VM with no GPU tool and one with an RTX 4090. */
class HardwareCommandsTest {

    private static final String RTX4090 = "0, NVIDIA GeForce RTX 4090, 24564, 23687, 3, 00000000:01:00.0, 550.54.14\n";

    private static HardwareProbe probe(Path root, boolean rtx4090) throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nphysical id\t: 0\ncore id\t: 0\n\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       33554432 kB\nMemAvailable:   30000000 kB\n");
        Files.writeString(proc.resolve("loadavg"), "0.10 0.20 0.30 1/100 42\n");
        return new HardwareProbe((cmd, timeout) -> rtx4090 && cmd.getFirst().equals("nvidia-smi") && cmd.get(1).startsWith("--query-gpu")
                ? new ToolResult.Completed(0, RTX4090, "") : new ToolResult.NotFound(cmd.getFirst()),
                SystemPaths.under(root), OsKind.LINUX, BackendDeviceSource.NONE,
                new JvmFacts("amd64", 2, 32L << 30, 30L << 30, OptionalDouble.empty()), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    @Test
    void gpuOnABareMachineSaysWhyForEachSource(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, false);
        CliRun r = CliRun.command(new GpuCommand(() -> p));
        assertEquals(0, r.code());
        assertTrue(r.out().contains("""
                Detection sources
                  nvidia      none: nvidia-smi not found on PATH
                  amd         none: rocm-smi not found on PATH
                  apple       none: system_profiler is macOS only (this is linux)
                  lspci       none: lspci not found on PATH
                  in-process  none: the in-process ggml backend view is not wired into this node yet

                GPUs
                  none found
                """), r.out());
        assertTrue(r.out().contains("Node tier: cpu (CPU-Only): no GPU with known memory\n"), r.out());
    }

    @Test
    void gpuWithA4090(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, true);
        CliRun r = CliRun.command(new GpuCommand(() -> p));
        assertTrue(r.out().contains("""
                  #0 NVIDIA GeForce RTX 4090 (nvidia, 0000:01:00.0, driver 550.54.14)
                     VRAM 24 GiB total, 23 GiB free, 3% busy; wire tier 16-24gb
                """), r.out());
        assertTrue(r.out().contains("Node tier: >=24gb (High-End Consumer / Professional): 1 NVIDIA GPU, 24 GiB of VRAM\n"
                + "  Example hardware: NVIDIA RTX 4090 (24GB), RTX 3090 (24GB), A5000 (24GB)\n"), r.out());
    }

    @Test
    void gpuJson(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, true);
        JsonNode j = new ObjectMapper().readTree(CliRun.command(new GpuCommand(() -> p), "--json").out());
        assertEquals("nvidia", j.get("sources").get(0).get("source").asText());
        assertEquals(24564L << 20, j.get("gpus").get(0).get("vram_total_bytes").asLong());
        assertEquals("rocm-smi not found on PATH", j.get("sources").get(1).get("reason").asText());
        assertEquals(">=24gb", j.get("node_tier").get("id").asText());
        assertEquals("16-24gb", j.get("heartbeat_specs").get("gpus").get(0).get("vram_tier").asText());
    }

    @Test
    void doctorOnABareMachine(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, false);
        CliRun r = CliRun.command(new DoctorCommand(() -> p), "--models-dir", root.resolve("store").toString(), "--ctx", "4096");
        assertTrue(r.out().contains("[WARN] GPU: no GPU found; this node serves on CPU (tier cpu)\n"
                + "       nvidia: nvidia-smi not found on PATH\n"), r.out());
        assertTrue(r.out().contains("[PASS] RAM: 32.0 GiB RAM (28.6 GiB available); tier cpu needs 16 GB, recommends 32 GB\n"), r.out());
        assertTrue(r.out().contains("Disk: model store " + root.resolve("store") + " (not created yet; measured at " + root + ")"), r.out());
        assertTrue(r.out().contains("Fit at 4096 context, RAM (32.0 GiB less a 3.2 GiB reserve): 28.8 GiB usable, 28.6 GiB free now\n"), r.out());
        assertTrue(r.out().contains("  Llama-3.1-8B F16 at 4096 context needs about 16 GiB (15 weights + 0.5 KV + 0.5 overhead): "
                + "fits in 29 GiB with 13 GiB to spare\n"), r.out());
        assertTrue(r.out().contains("  Llama-3.1-70B Q4_0 at 4096 context needs about 39 GiB (37 weights + 1.3 KV + 1.0 overhead): does not fit in 29 GiB (10 GiB short)\n"), r.out());
        assertEquals(r.out().contains("[FAIL]") ? 1 : 0, r.code());
    }

    @Test
    void doctorWithAMissingModelFails(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, true);
        Path missing = root.resolve("nope.gguf");
        CliRun r = CliRun.command(new DoctorCommand(() -> p), "--models-dir", root.toString(), "--model", missing.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("[FAIL] Model " + missing + ": no such file"), r.out());
        assertTrue(r.out().contains("Fit at 8192 context, VRAM of NVIDIA GeForce RTX 4090: 24.0 GiB usable, 23.1 GiB free now\n"), r.out());
    }

    @Test
    void doctorJson(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, true);
        JsonNode j = new ObjectMapper().readTree(CliRun.command(new DoctorCommand(() -> p), "--json", "--models-dir", root.toString()).out());
        assertEquals(List.of("GPU", "RAM", "Disk"), List.of(j.get("checks").get(0).get("title").asText(), j.get("checks").get(1).get("title").asText(),
                j.get("checks").get(2).get("title").asText()));
        assertEquals(48, j.get("fit").get("catalogue").size());
        assertEquals("gpu", j.get("fit").get("budget").get("kind").asText());
        assertEquals(8192, j.get("fit").get("ctx").asInt());
    }

    @Test
    void doctorRefusesAnAbsurdContext(@TempDir Path root) throws IOException {
        HardwareProbe p = probe(root, false);
        CliRun r = CliRun.command(new DoctorCommand(() -> p), "--ctx", "10");
        assertEquals(2, r.code());
        assertEquals("error: --ctx must be between 256 and 1048576 tokens, got 10\n", r.err());
    }

    @Test
    void defaultModelStoreFollowsXdg() {
        assertEquals(Path.of("/data/infernet/models"), DoctorCommand.defaultModelStore(Map.of("XDG_DATA_HOME", "/data"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/share/infernet/models"), DoctorCommand.defaultModelStore(Map.of("XDG_DATA_HOME", "relative"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/share/infernet/models"), DoctorCommand.defaultModelStore(Map.of(), "/home/u"));
    }

    @Test
    void registeredInMain() {
        CommandLine cl = Main.commandLine();
        assertTrue(cl.getSubcommands().containsKey("gpu"));
        assertTrue(cl.getSubcommands().containsKey("doctor"));
    }
}
