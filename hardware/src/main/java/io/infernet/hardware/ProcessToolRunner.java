package io.infernet.hardware;

import io.infernet.natives.Exec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs programs found on a PATH ({@link Exec}), with {@code LC_ALL=C} so numbers print with a dot,
 * output capped at {@link #MAX_OUTPUT_BYTES} per stream; a program that outlives its timeout is
 * killed. Never throws: every outcome is a {@link ToolResult}. Safe to call from any thread.
 */
final class ProcessToolRunner implements ToolRunner {

    /** Output kept per stream, bytes; the rest is read and dropped. */
    static final int MAX_OUTPUT_BYTES = 4 << 20;

    private final String path;

    ProcessToolRunner(String path) {
        this.path = path == null ? "" : path;
    }

    @Override
    public ToolResult run(List<String> command, Duration timeout) {
        String program = command.getFirst();
        Optional<Path> exe = resolve(program);
        if (exe.isEmpty()) {
            return new ToolResult.NotFound(program);
        }
        List<String> argv = new ArrayList<>(command);
        argv.set(0, exe.get().toString());
        try {
            Exec.Result r = Exec.run(argv, null, Map.of("LC_ALL", "C"), timeout, line -> {}, line -> {}, MAX_OUTPUT_BYTES);
            return new ToolResult.Completed(r.exitCode(), r.stdout(), r.stderr());
        } catch (Exec.ExecException e) {
            return new ToolResult.Failed(program, switch (e.kind()) {
                case NOT_STARTED -> "could not start " + program + ": " + e.getMessage();
                case TIMED_OUT -> program + " did not finish in " + limit(timeout) + " and was stopped";
                case INTERRUPTED -> "interrupted while waiting for " + program;
            });
        }
    }

    private static String limit(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    /** The executable for {@code program}: itself when it names a path, else the first match on PATH. */
    Optional<Path> resolve(String program) {
        if (program.contains(File.separator)) {
            Path p = Path.of(program);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
