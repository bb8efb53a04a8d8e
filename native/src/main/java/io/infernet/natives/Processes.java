package io.infernet.natives;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the external tools this module needs (npm, tar, git, cmake) with clear failures. */
final class Processes {
    private Processes() {}

    /** The result of a finished command: exit code and combined output. */
    record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code dir}; lines of output go to {@code progress} when not null. */
    static Result run(Path dir, List<String> command, Progress progress, long timeoutMinutes) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new NativeException("could not run '" + command.getFirst() + "': " + e.getMessage()
                    + ". Install " + command.getFirst() + " and make sure it is on PATH.", e);
        }
        StringBuilder out = new StringBuilder();
        List<String> tail = new ArrayList<>();
        try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.append(line).append('\n');
                if (progress != null) {
                    progress.step(line);
                }
                tail.add(line);
                if (tail.size() > 40) {
                    tail.removeFirst();
                }
            }
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new NativeException("'" + String.join(" ", command) + "' did not finish in " + timeoutMinutes + " minutes");
            }
        } catch (IOException e) {
            throw new NativeException("reading the output of '" + command.getFirst() + "' failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NativeException("interrupted while running '" + command.getFirst() + "'", e);
        }
        return new Result(p.exitValue(), out.toString());
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
