package io.infernet.bench.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process reference of the overhead probe: a real child JVM with a generated model. */
@Tag("native")
class EngineProbeTest {

    @Test
    void aChildEngineAnswersTrialsInTurnAndEndsWithItsInput(@TempDir Path dir) throws Exception {
        Path model = DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
        List<String> cmd = EngineProbe.command(model, 2, 1, 256, Optional.empty());
        assertTrue(cmd.contains(EngineProbeMain.class.getName()), cmd.toString());
        assertEquals(List.of("--model", model.toString(), "--parallel", "2", "--threads", "1", "--ctx", "256"),
                cmd.subList(cmd.size() - 8, cmd.size()));
        Path log = dir.resolve("probe.log");
        try (EngineProbe probe = EngineProbe.start(cmd, log, Duration.ofSeconds(60))) {
            for (int i = 0; i < 2; i++) {
                EngineProbeMain.Trial t = probe.trial("count to ten", 12, Duration.ofSeconds(60));
                assertTrue(t.tokens() >= 1 && t.tokens() <= 12, t.toString());
                assertTrue(t.ttftMs() > 0, t.toString());
                assertTrue(t.tokens() < 2 || t.perTokenMs() > 0, t.toString());
            }
            assertThrows(IllegalArgumentException.class, () -> probe.trial("two\nlines", 4, Duration.ofSeconds(5)));
        }
        assertTrue(Files.exists(log));
    }

    @Test
    void aChildThatCannotStartIsReportedWithItsExit(@TempDir Path dir) {
        List<String> cmd = EngineProbe.command(dir.resolve("missing.gguf"), 1, 1, 256, Optional.empty());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineProbe.start(cmd, dir.resolve("probe.log"), Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("ended (exit 1)"), e.getMessage());
    }
}
