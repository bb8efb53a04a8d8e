package io.infernet.natives;

import java.nio.file.Path;
import java.util.List;

/** Runs the external tools this module needs (npm, tar, git, cmake) with clear failures. */
final class Processes {
    private Processes() {}

    /** The result of a finished command: exit code and combined output. */
    record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code dir}; lines of output (both streams, as they come) go to {@code progress} when not null. */
    static Result run(Path dir, List<String> command, Progress progress, long timeoutMinutes) {
        StringBuilder out = new StringBuilder();
        java.util.function.Consumer<String> line = l -> {
            synchronized (out) {
                out.append(l).append('\n');
            }
            if (progress != null) {
                progress.step(l);
            }
        };
        try {
            Exec.Result r = Exec.run(command, dir, java.util.Map.of(), java.time.Duration.ofMinutes(timeoutMinutes), line, line,
                    Exec.DEFAULT_MAX_OUTPUT_BYTES);
            synchronized (out) {
                return new Result(r.exitCode(), out.toString());
            }
        } catch (Exec.ExecException e) {
            if (e.kind() == Exec.ExecException.Kind.NOT_STARTED) {
                throw new NativeException("could not run '" + command.getFirst() + "': " + e.getMessage()
                        + ". Install " + command.getFirst() + " and make sure it is on PATH.", e);
            }
            throw new NativeException(e.getMessage(), e);
        }
    }

    /** Like {@link #run} but fails with the command's last lines of output when it exits non-zero. */
    static String check(Path dir, List<String> command, Progress progress, long timeoutMinutes) {
        Result r = run(dir, command, progress, timeoutMinutes);
        if (r.exitCode() != 0) {
            String[] lines = r.output().split("\n");
            int from = Math.max(0, lines.length - 25);
            throw new NativeException("'" + String.join(" ", command) + "' failed with exit code " + r.exitCode()
                    + ":\n" + String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length)));
        }
        return r.output();
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
