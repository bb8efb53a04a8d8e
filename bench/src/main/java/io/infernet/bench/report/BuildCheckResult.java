package io.infernet.bench.report;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@code --build-check}: the CMake configure step for a backend, nothing compiled.
 *
 * @param backend the backend ({@code cuda})
 * @param ok      whether configure succeeded
 * @param seconds how long it took
 * @param command the exact command
 * @param facts   what the configure found that matters (compiler, toolkit, architectures)
 * @param tail    its last lines of output
 */
public record BuildCheckResult(String backend, boolean ok, double seconds, String command, List<String> facts, List<String> tail) {
    public BuildCheckResult {
        Objects.requireNonNull(backend, "backend");
        facts = List.copyOf(facts);
        tail = List.copyOf(tail);
    }
}
