package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchedDecodeTest {

    @Test
    void theCommandSizesTheRunAsTheServersAreSized() {
        ServingBench.Settings s = new ServingBench.Settings(List.of(1, 8), 128, 4, 2, 2048, 0, Duration.ofMinutes(1), Duration.ofMinutes(1), 3, true);
        List<String> cmd = BatchedDecode.command(Path.of("/b/llama-batched-bench"), Path.of("/m/demo.gguf"), 8, s);
        // The same total context, threads, offload and KV layout as llamaServerCommand gives llama-server.
        List<String> server = ServingBench.llamaServerCommand(Path.of("/b/llama-server"), Path.of("/m/demo.gguf"), 1234, s);
        assertEquals(server.get(server.indexOf("-c") + 1), cmd.get(cmd.indexOf("-c") + 1));
        assertEquals("16384", cmd.get(cmd.indexOf("-c") + 1));
        assertEquals("8", cmd.get(cmd.indexOf("-npl") + 1));
        assertEquals("128", cmd.get(cmd.indexOf("-ntg") + 1));
        assertEquals(Integer.toString(BatchedDecode.PROMPT_TOKENS), cmd.get(cmd.indexOf("-npp") + 1));
        assertEquals("2", cmd.get(cmd.indexOf("-t") + 1));
        assertEquals("2", cmd.get(cmd.indexOf("-tb") + 1));
        assertEquals("0", cmd.get(cmd.indexOf("-ngl") + 1));
        assertTrue(cmd.contains("-no-kvu"), "a KV stream per sequence, as both servers run with explicit slots");
        assertEquals("jsonl", cmd.get(cmd.indexOf("--output-format") + 1));
    }

    @Test
    void theGenerationSpeedIsReadFromTheLastJsonLine() {
        String out = """
                main: n_kv_max = 16384, n_batch = 2048
                {"n_kv_max": 16384, "n_batch": 2048, "n_ubatch": 512, "flash_attn": 1, "is_pp_shared": 0, "n_gpu_layers": -1, "n_threads": 2, "n_threads_batch": 2, "pp": 32, "tg": 128, "pl": 1, "n_kv": 160, "t_pp": 0.02, "speed_pp": 1600.0, "t_tg": 0.3, "speed_tg": 426.5, "t": 0.32, "speed": 500.0}
                {"n_kv_max": 16384, "n_batch": 2048, "n_ubatch": 512, "flash_attn": 1, "is_pp_shared": 0, "n_gpu_layers": -1, "n_threads": 2, "n_threads_batch": 2, "pp": 32, "tg": 128, "pl": 8, "n_kv": 1280, "t_pp": 0.073222, "speed_pp": 3496.217041, "t_tg": 1.049371, "speed_tg": 975.822632, "t": 1.122593, "speed": 1140.217285}

                """;
        assertEquals(975.822632, BatchedDecode.speedTg(out), 1e-9);
    }

    @Test
    void roundsCollectPerLevelInOrderAndStopAtTheFirstFailure(@TempDir Path dir) throws Exception {
        // A stand-in for llama-batched-bench: speed_tg is 100 x the sequences (+0.5); 4 sequences fail.
        Path bin = dir.resolve("llama-batched-bench");
        Files.writeString(bin, """
                #!/bin/sh
                while [ $# -gt 0 ]; do [ "$1" = "-npl" ] && n=$2; shift; done
                [ "$n" = 4 ] && { echo "error: out of memory" >&2; exit 1; }
                echo "main: loading"
                echo "{\\"pl\\": $n, \\"speed_tg\\": ${n}00.5}"
                """);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        ServingBench.Settings s = new ServingBench.Settings(List.of(1, 8), 128, 4, 2, 2048, 0, Duration.ofMinutes(1), Duration.ofMinutes(1), 2, true);
        List<String> steps = new ArrayList<>();
        BatchedDecode.Rounds rounds = new BatchedDecode.Rounds(bin, dir.resolve("m.gguf"), s, steps::add);
        rounds.round(1, 0);
        rounds.round(8, 0);
        rounds.round(1, 1);
        rounds.round(8, 1);
        assertTrue(rounds.error().isEmpty(), rounds.error().toString());
        List<BatchedDecode.Level> levels = rounds.levels();
        assertEquals(List.of(1, 8), levels.stream().map(BatchedDecode.Level::streams).toList());
        assertEquals(List.of(100.5, 100.5), levels.get(0).roundTokensPerSecond());
        assertEquals(List.of(800.5, 800.5), levels.get(1).roundTokensPerSecond());
        assertTrue(levels.get(1).command().contains("-npl 8"), levels.get(1).command());
        assertEquals(4, steps.size(), steps.toString());
        assertTrue(steps.get(3).contains("8 streams, round 2/2: 800.5 tokens/s"), steps.get(3));

        rounds.round(4, 0);
        assertTrue(rounds.error().orElseThrow().contains("llama-batched-bench failed (exit 1)"), rounds.error().toString());
        rounds.round(1, 2);
        assertEquals(List.of(100.5, 100.5), rounds.levels().get(0).roundTokensPerSecond(), "nothing runs after a failure");
        assertEquals(2, rounds.levels().size());
    }

    @Test
    void outputWithoutASpeedIsAnErrorThatQuotesIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BatchedDecode.speedTg("error: failed to load model\n"));
        assertTrue(e.getMessage().contains("failed to load model"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> BatchedDecode.speedTg(""));
        assertThrows(IllegalStateException.class, () -> BatchedDecode.speedTg("{\"speed_tg\": 0}\n"));
    }
}
