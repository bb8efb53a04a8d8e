package io.infernet.engines.vllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vLLM found running is read from its command line, as /proc holds it (NUL-separated). */
class RunningVllmTest {

    @TempDir
    Path proc;

    private static byte[] cmd(String... args) {
        return (String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private void process(long pid, String... args) throws Exception {
        Path d = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.write(d.resolve("cmdline"), cmd(args));
    }

    @Test
    void readsTheSplitAndPortOfTheServeCommandAndTheModuleForm() {
        RunningVllm a = RunningVllm.parse(7, cmd("/opt/venv/bin/python3", "/opt/venv/bin/vllm", "serve", "meta-llama/Llama-3.1-70B-Instruct",
                "--tensor-parallel-size", "4", "--pipeline-parallel-size=2", "--port", "8001")).orElseThrow();
        assertEquals(new RunningVllm(7, 8001, 4, 2), a);
        assertEquals(8, a.gpus());
        assertEquals(List.of("A", "B"), a.workloadClasses());

        RunningVllm b = RunningVllm.parse(8, cmd("python", "-m", "vllm.entrypoints.openai.api_server", "--model", "x", "-tp", "2")).orElseThrow();
        assertEquals(new RunningVllm(8, RunningVllm.DEFAULT_PORT, 2, 1), b);

        RunningVllm one = RunningVllm.parse(9, cmd("vllm", "serve", "Qwen/Qwen2.5-7B-Instruct")).orElseThrow();
        assertEquals(List.of("A"), one.workloadClasses());
        assertEquals(Optional.empty(), RunningVllm.parse(10, cmd("python", "-m", "http.server", "8000")));
        assertEquals(Optional.empty(), RunningVllm.parse(11, cmd("grep", "vllm", "serve")), "'vllm serve' as arguments of another program");
    }

    @Test
    void findsTheProcessServingAPort() throws Exception {
        process(100, "bash");
        process(200, "vllm", "serve", "small", "--port", "8000");
        process(300, "vllm", "serve", "big", "--port", "9000", "--tensor-parallel-size", "8");
        Files.createDirectories(proc.resolve("self"));
        assertEquals(8, RunningVllm.onPort(proc, 9000).orElseThrow().gpus());
        assertEquals(1, RunningVllm.onPort(proc, 8000).orElseThrow().gpus());
        assertTrue(RunningVllm.onPort(proc, 7000).isEmpty());
        assertTrue(RunningVllm.onPort(proc.resolve("absent"), 8000).isEmpty());
    }
}
