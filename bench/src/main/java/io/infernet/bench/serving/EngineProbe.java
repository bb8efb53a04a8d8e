package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.bench.inproc.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The parent's side of {@link EngineProbeMain}: a child JVM holding the in-process engine as
 * {@code infernet serve} opens it, kept alive so that its trials can be interleaved with HTTP
 * requests to the server. Its standard error goes to a log file.
 */
final class EngineProbe implements AutoCloseable {

    private static final ObjectMapper JSON = io.infernet.engines.Json.MAPPER;

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "engine-probe-reader");
        t.setDaemon(true);
        return t;
    });

    private EngineProbe(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** The child's command line: the engine as {@code serve --model --parallel --threads --ctx} opens it. */
    static List<String> command(Path model, int parallel, int threads, int contextPerSlot, Optional<Path> libraryDir) {
        return ChildJvm.ofCurrent(libraryDir, EngineProbeMain.class.getName(), List.of("--model", model.toString(),
                "--parallel", Integer.toString(parallel), "--threads", Integer.toString(threads), "--ctx", Integer.toString(contextPerSlot)))
                .command();
    }

    /** Starts the child and waits until its engine is up. */
    static EngineProbe start(List<String> command, Path log, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the engine probe: " + e.getMessage(), e);
        }
        EngineProbe probe = new EngineProbe(p);
        try {
            probe.await(line -> line.equals(EngineProbeMain.PREFIX + "ready") ? "" : null, timeout);
            return probe;
        } catch (RuntimeException e) {
            probe.close();
            throw e;
        }
    }

    /** One greedy generation of {@code prompt}, at most {@code maxTokens}, timed inside the engine's process. */
    EngineProbeMain.Trial trial(String prompt, int maxTokens, Duration timeout) {
        if (prompt.indexOf('\n') >= 0 || prompt.indexOf('\t') >= 0) {
            throw new IllegalArgumentException("the probe's prompts are one line without tabs");
        }
        try {
            in.write(maxTokens + "\t" + prompt + "\n");
            in.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the engine probe is gone: " + e.getMessage() + " (exit " + exitCode() + ")", e);
        }
        return await(line -> {
            if (!line.startsWith(EngineProbeMain.PREFIX + "{")) {
                return null;
            }
            try {
                return JSON.readValue(line.substring(EngineProbeMain.PREFIX.length()), EngineProbeMain.Trial.class);
            } catch (IOException e) {
                throw new IllegalStateException("unreadable engine probe result: " + line, e);
            }
        }, timeout);
    }

    /** Reads lines until {@code match} gives a value (non-null), the child ends, or the time is up. */
    private <T> T await(java.util.function.Function<String, T> match, Duration timeout) {
        Future<T> f = reader.submit(() -> {
            String line;
            while ((line = out.readLine()) != null) {
                T v = match.apply(line);
                if (v != null) {
                    return v;
                }
            }
            throw new IllegalStateException("the engine probe ended (exit " + exitCode() + "); see its log");
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException("the engine probe gave no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IllegalStateException ise ? ise : new IllegalStateException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            in.close(); // end of input: the child closes its engine and exits
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        reader.shutdownNow();
    }
}
