package io.infernet.bench.llamabench;

import io.infernet.natives.Exec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs {@code llama-bench} and parses its JSON. */
public final class LlamaBenchRunner {
    private LlamaBenchRunner() {}

    /**
     * Runs one invocation; llama-bench's standard error (model loading) is dropped unless it fails.
     *
     * @throws IllegalStateException with llama-bench's last lines of output when it fails
     */
    public static List<LlamaBenchResult> run(LlamaBenchCommand cmd, Duration timeout) {
        Exec.Result r = Exec.run(cmd.argv(), null, Map.of(), timeout, line -> {});
        if (r.exitCode() != 0) {
            throw new IllegalStateException("llama-bench failed with exit code " + r.exitCode() + " (" + cmd.display() + "):\n" + r.tail());
        }
        try {
            return LlamaBenchParser.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + "\ncommand: " + cmd.display() + "\nstderr:\n" + r.tail(), e);
        }
    }
}
