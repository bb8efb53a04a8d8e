package io.infernet.hardware;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs found on a PATH, with {@code LC_ALL=C} so numbers print with a dot. Each output
 * stream is read on its own virtual thread (so a chatty stderr cannot block stdout) and capped at
 * {@link #MAX_OUTPUT_BYTES}; a program that outlives its timeout is killed. Safe to call from any
 * thread; each call starts its own process.
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
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(devNull()));
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new ToolResult.Failed(program, "could not start " + program + ": " + e.getMessage());
        }
        Capture out = Capture.start(p.getInputStream());
        Capture err = Capture.start(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                String limit = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
                return new ToolResult.Failed(program, program + " did not finish in " + limit + " and was stopped");
            }
            return new ToolResult.Completed(p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new ToolResult.Failed(program, "interrupted while waiting for " + program);
        }
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

    private static File devNull() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }

    /** Drains one stream on a virtual thread, keeping at most {@link #MAX_OUTPUT_BYTES}. */
    private static final class Capture {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        private Capture(InputStream in) {
            this.thread = Thread.ofVirtual().unstarted(() -> drain(in));
        }

        static Capture start(InputStream in) {
            Capture c = new Capture(in);
            c.thread.start();
            return c;
        }

        private void drain(InputStream in) {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (buf) {
                        int keep = Math.min(n, MAX_OUTPUT_BYTES - buf.size());
                        if (keep > 0) {
                            buf.write(chunk, 0, keep);
                        }
                    }
                }
            } catch (IOException ignored) {
                // The process ended or was killed; what was read is kept.
            }
        }

        String text() throws InterruptedException {
            thread.join(Duration.ofSeconds(2));
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
