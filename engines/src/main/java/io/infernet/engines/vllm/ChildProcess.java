package io.infernet.engines.vllm;

import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.HttpProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A child process the node owns: its merged output is read line by line on a daemon thread
 * (each line to a {@link System.Logger} at INFO and to a callback, the last lines kept, known
 * failure lines recognized by {@link LogDiagnosis}); it is stopped with the node (a shutdown
 * hook), with SIGTERM first and SIGKILL for it and its descendants after a grace period.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class ChildProcess implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
    private static final int TAIL = 40;

    private final String name;
    private final Process process;
    private final List<String> secrets;
    private final Consumer<String> lines;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread pump;
    private final Thread hook;
    private volatile String diagnosis;
    private volatile Duration hookGrace = Duration.ofSeconds(10);

    private ChildProcess(String name, Process process, List<String> secrets, Consumer<String> lines) {
        this.name = name;
        this.process = process;
        this.secrets = List.copyOf(secrets);
        this.lines = lines;
        this.pump = Thread.ofPlatform().daemon().name("infernet-" + name + "-log").start(this::pumpLog);
        this.hook = new Thread(() -> stop(hookGrace), "infernet-" + name + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts {@code command} (whose first element is the executable's path) with exactly
     * {@code environment}.
     *
     * @param secrets strings to replace with {@code ***} in every logged line (API keys)
     * @param lines   receives each output line, on the log thread; must not block
     */
    public static ChildProcess start(String name, List<String> command, Map<String, String> environment, List<String> secrets,
                                     Consumer<String> lines) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().clear();
        pb.environment().putAll(environment);
        try {
            Process p = pb.start();
            p.getOutputStream().close(); // no input: a child that reads stdin sees its end
            return new ChildProcess(name, p, secrets, lines);
        } catch (IOException e) {
            throw new LaunchException("could not start " + name + " (" + command.getFirst() + "): " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes with the exit code when the process ends. */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /** The last lines it printed (at most 40), secrets masked. */
    public List<String> lastLines() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** The first known failure its log showed, in plain words. */
    public Optional<String> diagnosis() {
        return Optional.ofNullable(diagnosis);
    }

    /** How long the shutdown hook waits after SIGTERM before killing. */
    public void setShutdownGrace(Duration grace) {
        this.hookGrace = grace;
    }

    private void pumpLog() {
        try (BufferedReader r = process.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                String shown = mask(line);
                synchronized (tail) {
                    tail.addLast(shown);
                    if (tail.size() > TAIL) {
                        tail.removeFirst();
                    }
                }
                if (diagnosis == null) {
                    LogDiagnosis.of(shown).ifPresent(d -> diagnosis = d);
                }
                LOG.log(System.Logger.Level.INFO, "[{0}] {1}", name, shown);
                try {
                    lines.accept(shown);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a log line callback of " + name + " failed", e);
                }
            }
        } catch (IOException e) {
            // the process ended or was killed: its output is closed
        }
    }

    private String mask(String line) {
        String s = line;
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                s = s.replace(secret, "***");
            }
        }
        return s;
    }

    /**
     * Waits until {@code GET path} at {@code endpoint} answers 200, reporting progress every
     * {@code progressEvery}.
     *
     * @throws LaunchException when the process exits first (with its exit code, the diagnosis
     *     and its last lines) or the timeout passes; the process is left running, the caller stops it
     */
    public void awaitHttp(Endpoint endpoint, String path, Duration timeout, Duration progressEvery, Consumer<String> progress) {
        long start = System.nanoTime();
        long nextProgress = start + progressEvery.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw exitedEarly("before it answered " + endpoint.resolve(path));
            }
            HttpProbe.Result r = HttpProbe.get(endpoint, path, Duration.ofSeconds(1));
            if (r.ok()) {
                return;
            }
            long now = System.nanoTime();
            if (now - start > timeout.toNanos()) {
                throw new LaunchException(name + " did not answer " + endpoint.resolve(path) + " within " + timeout.toSeconds() + " s (last probe: "
                        + r.failure() + ")" + explain());
            }
            if (now >= nextProgress) {
                nextProgress = now + progressEvery.toNanos();
                List<String> last = lastLines();
                progress.accept("waiting for " + name + " to answer " + endpoint.resolve(path) + ": " + Duration.ofNanos(now - start).toSeconds()
                        + " s of " + timeout.toSeconds() + " s" + (last.isEmpty() ? "" : "; its last line: " + last.getLast()));
            }
            sleep(250);
        }
    }

    /**
     * Waits until the process prints a line matching {@code ready}.
     *
     * @throws LaunchException when it exits first or the timeout passes (it is left running)
     */
    public void awaitLine(Pattern ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (lastLines().stream().anyMatch(l -> ready.matcher(l).find())) {
                return;
            }
            if (!process.isAlive()) {
                throw exitedEarly("before it printed '" + ready.pattern() + "'");
            }
            if (System.nanoTime() > deadline) {
                throw new LaunchException(name + " did not print '" + ready.pattern() + "' within " + timeout.toSeconds() + " s" + explain());
            }
            sleep(100);
        }
    }

    /** Waits for the process to end by itself; returns its exit code, or empty after the timeout (it keeps running). */
    public Optional<Integer> awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                drainLog();
                return Optional.of(process.exitValue());
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** An exception for an exit the caller did not want: exit code, diagnosis, last lines. */
    public LaunchException exitedEarly(String when) {
        drainLog();
        return new LaunchException(name + " exited with code " + process.exitValue() + " " + when + explain());
    }

    /** The diagnosis and the last lines, as a message tail. */
    public String explain() {
        StringBuilder b = new StringBuilder();
        diagnosis().ifPresent(d -> b.append(": ").append(d));
        List<String> last = lastLines();
        if (!last.isEmpty()) {
            b.append("\nlast lines of ").append(name).append(":");
            for (String l : last.subList(Math.max(0, last.size() - 15), last.size())) {
                b.append("\n  ").append(l);
            }
        }
        return b.toString();
    }

    /** Lets the log thread read what the process wrote before it ended. */
    private void drainLog() {
        try {
            pump.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the process: SIGTERM, then after {@code grace} SIGKILL to it and every descendant
     * still alive (vLLM's engine workers, Ray's). Idempotent; returns once it has exited (or
     * the kill was sent and 5 s passed).
     */
    public void stop(Duration grace) {
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran; stopping twice is harmless
            }
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            // ProcessHandle.destroy sends SIGTERM and, unlike Process.destroy, leaves our end of the
            // output pipe open: the child's shutdown lines are still read, and it gets no EPIPE.
            process.toHandle().destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "{0} did not stop within {1} s of SIGTERM; killing it", name, grace.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killAll(descendants);
        if (process.isAlive()) {
            process.toHandle().destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drainLog();
    }

    /** Kills the descendants still alive and waits (briefly) until they are gone. */
    private void killAll(List<ProcessHandle> descendants) {
        List<ProcessHandle> all = new java.util.ArrayList<>(descendants);
        if (process.isAlive()) {
            all.addAll(process.descendants().toList());
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.log(System.Logger.Level.WARNING, "a child of {0} (pid {1}) is still there after SIGKILL", name, h.pid());
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for a child process");
        }
    }
}
