package io.infernet.natives;

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
 * Runs a child process to completion: the project's one way to run a program (npm, git, cmake,
 * llama-bench, nvidia-smi, ...). Standard input is closed; standard output and standard error
 * are drained on their own threads (a chatty child never blocks on a full pipe), each kept up to
 * a cap and passed line by line to listeners; the last lines of standard error are kept for error
 * messages. A child that outlives its timeout is killed with its descendants.
 */
public final class Exec {
    private Exec() {}

    /** Lines of standard error kept for messages. */
    public static final int TAIL_LINES = 30;

    /** Output kept per stream by default, bytes; the rest is read and dropped. */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 16 << 20;

    /**
     * A finished process.
     *
     * @param exitCode   its exit status
     * @param stdout     what it wrote to standard output (up to the cap)
     * @param stderr     what it wrote to standard error (up to the cap)
     * @param stderrTail its last lines of standard error (at most {@value #TAIL_LINES})
     */
    public record Result(int exitCode, String stdout, String stderr, List<String> stderrTail) {
        public Result {
            stderrTail = List.copyOf(stderrTail);
        }

        /** The tail of standard error as one block, for an error message. */
        public String tail() {
            return String.join("\n", stderrTail);
        }
    }

    /** The program could not be started, did not finish in time (and was killed), or the wait was interrupted. */
    public static final class ExecException extends RuntimeException {
        public enum Kind { NOT_STARTED, TIMED_OUT, INTERRUPTED }

        private final Kind kind;

        ExecException(Kind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** Runs {@code command}; standard output is collected, standard error goes line by line to {@code stderr}. */
    public static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout, Consumer<String> stderr) {
        return run(command, dir, env, timeout, line -> {}, stderr, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /**
     * Runs {@code command}.
     *
     * @param dir            working folder, or null for this process's
     * @param env            extra environment variables
     * @param timeout        the child is killed (with its children) after this long
     * @param stdoutLines    receives each line of standard output, on a drain thread
     * @param stderrLines    receives each line of standard error, on another drain thread
     * @param maxOutputBytes output kept per stream; the rest is read and dropped
     * @throws ExecException when the program cannot be started, does not finish in time, or the wait is interrupted
     */
    public static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout,
                             Consumer<String> stdoutLines, Consumer<String> stderrLines, int maxOutputBytes) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ExecException(ExecException.Kind.NOT_STARTED, "cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close(); // no child run here reads standard input
        } catch (IOException e) {
            // already closed
        }
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        Thread outDrain = Thread.ofPlatform().daemon().name("exec-stdout").start(() -> drain(p.getInputStream(), line -> {
            keep(out, line, maxOutputBytes);
            stdoutLines.accept(line);
        }));
        Thread errDrain = Thread.ofPlatform().daemon().name("exec-stderr").start(() -> drain(p.getErrorStream(), line -> {
            keep(err, line, maxOutputBytes);
            synchronized (tail) {
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
            stderrLines.accept(line);
        }));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                String limit = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
                throw new ExecException(ExecException.Kind.TIMED_OUT, "'" + String.join(" ", command) + "' did not finish within " + limit
                        + " and was stopped", null);
            }
            outDrain.join(5_000);
            errDrain.join(5_000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExecException(ExecException.Kind.INTERRUPTED, "interrupted while running " + command.getFirst(), e);
        }
        synchronized (out) {
            synchronized (err) {
                synchronized (tail) {
                    return new Result(p.exitValue(), out.toString(), err.toString(), List.copyOf(tail));
                }
            }
        }
    }

    private static void keep(StringBuilder buf, String line, int max) {
        synchronized (buf) {
            if (buf.length() < max) {
                buf.append(line, 0, Math.min(line.length(), max - buf.length())).append('\n');
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
