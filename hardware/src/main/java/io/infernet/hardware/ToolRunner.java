package io.infernet.hardware;

import java.time.Duration;
import java.util.List;

/**
 * Runs an external tool and returns what it printed. The detectors take one so that tests run
 * them against recorded output ({@code FakeTools} in the tests) and the node against the real
 * programs ({@link #system()}). Implementations never throw for a missing or failing tool: that is
 * a {@link ToolResult}.
 */
@FunctionalInterface
public interface ToolRunner {

    /** Default time one tool may take; {@code system_profiler} and an 8-GPU {@code nvidia-smi} stay well below it. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Runs {@code command} (program then arguments, no shell) with a time limit. */
    ToolResult run(List<String> command, Duration timeout);

    /** Runs with {@link #DEFAULT_TIMEOUT}. */
    default ToolResult run(List<String> command) {
        return run(command, DEFAULT_TIMEOUT);
    }

    /** The real programs, looked up on this process's PATH. */
    static ToolRunner system() {
        return new ProcessToolRunner(System.getenv("PATH"));
    }
}
