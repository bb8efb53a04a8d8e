package io.infernet.bench.serving;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server started as a child process for the serving benchmark, its output going to a log file;
 * ready when {@code GET /health} answers 200 (llama-server and ours both have it). Closing stops it
 * (gently, then forcibly after 10 s).
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final URI base;
    private final Path log;

    private ServerProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * Starts {@code command} and waits until it is ready.
     *
     * @throws IllegalStateException when it exits or is not ready within {@code startTimeout}, naming its log
     */
    public static ServerProcess start(List<String> command, URI base, Path log, Duration startTimeout) {
        return start(command, Map.of(), base, log, startTimeout);
    }

    /**
     * As {@link #start(List, URI, Path, Duration)}, with {@code environment} added to this
     * process's own environment for the child.
     */
    public static ServerProcess start(List<String> command, Map<String, String> environment, URI base, Path log, Duration startTimeout) {
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            p = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        ServerProcess s = new ServerProcess(p, base, log);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(command.getFirst() + " exited with code " + p.exitValue() + " before it was ready; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return s;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                s.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command.getFirst(), e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                s.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command.getFirst(), e);
            }
        }
        s.close();
        throw new IllegalStateException(command.getFirst() + " was not ready (GET /health) within " + startTimeout.toSeconds() + " s; see " + log);
    }

    public URI base() {
        return base;
    }

    /** The server's process id (its /proc figures). */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
