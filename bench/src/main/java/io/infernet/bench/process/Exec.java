package io.infernet.bench.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a child process to completion: standard output is collected whole, standard error is
 * passed line by line to a listener (progress) and its last lines kept for error messages. Both
 * streams are drained on their own threads, so a chatty child never blocks on a full pipe.
 */
public final class Exec {
    private Exec() {}

    /**
     * A finished process.
     *
     * @param exitCode   its exit status
     * @param stdout     everything it wrote to standard output
     * @param stderrTail its last lines of standard error (at most {@value #TAIL_LINES})
     */
    public record Result(int exitCode, String stdout, List<String> stderrTail) {
        public Result {
            stderrTail = List.copyOf(stderrTail);
        }

        /** The tail of standard error as one block, for an error message. */
        public String tail() {
            return String.join("\n", stderrTail);
        }
    }

    public static final int TAIL_LINES = 30;

    /**
     * Runs {@code command}.
     *
     * @param dir      working folder, or null for this process's
     * @param env      extra environment variables
     * @param timeout  the child is killed (with its children) after this long
     * @param stderr   receives each line of standard error, on a drain thread
     * @throws IllegalStateException when the program cannot be started or does not finish in time
     */
    public static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout, Consumer<String> stderr) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close(); // none of the children here reads standard input
        } catch (IOException e) {
            // already closed
        }
        StringBuilder out = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        Thread outDrain = Thread.ofPlatform().daemon().name("exec-stdout").start(() -> drain(p.getInputStream(), line -> {
            synchronized (out) {
                out.append(line).append('\n');
            }
        }));
        Thread errDrain = Thread.ofPlatform().daemon().name("exec-stderr").start(() -> drain(p.getErrorStream(), line -> {
            synchronized (tail) {
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
            stderr.accept(line);
        }));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within " + timeout.toSeconds() + " s and was stopped");
            }
            outDrain.join(5_000);
            errDrain.join(5_000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
        synchronized (out) {
            synchronized (tail) {
                return new Result(p.exitValue(), out.toString(), List.copyOf(tail));
            }
        }
    }

    private static void drain(InputStream in, Consumer<String> lines) {
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.accept(line);
            }
        } catch (IOException e) {
            // the child closed the pipe or was killed: what was read is what there is
        }
    }
}
