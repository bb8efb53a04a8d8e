package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessToolRunnerTest {
    private final ProcessToolRunner runner = new ProcessToolRunner(System.getenv("PATH"));

    @Test
    void capturesExitCodeAndBothStreams() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
        ToolResult r = runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
        assertEquals(new ToolResult.Completed(3, "out\n", "err\n"), r);
        assertEquals("sh exited with code 3: err", ToolResult.reasonOf("sh", r));
    }

    @Test
    void missingProgram() {
        ToolResult r = runner.run(List.of("infernet-no-such-tool-xyz"), Duration.ofSeconds(1));
        assertEquals(new ToolResult.NotFound("infernet-no-such-tool-xyz"), r);
        assertEquals("infernet-no-such-tool-xyz not found on PATH", ToolResult.reasonOf("infernet-no-such-tool-xyz", r));
    }

    @Test
    void emptyPathFindsNothing() {
        assertEquals(new ToolResult.NotFound("sh"), new ProcessToolRunner("").run(List.of("sh", "-c", "true"), Duration.ofSeconds(1)));
    }

    @Test
    void toolThatOutlivesItsTimeoutIsStopped() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")));
        ToolResult r = runner.run(List.of("sh", "-c", "sleep 30"), Duration.ofMillis(200));
        ToolResult.Failed f = assertInstanceOf(ToolResult.Failed.class, r);
        assertEquals("sh did not finish in 200 ms and was stopped", f.message());
    }
}
