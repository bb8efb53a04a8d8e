package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.natives.Exec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A second load client that shares no code with ours: {@code openai_load.py}, Python's standard
 * library only (http.client, a thread per stream), shipped in this jar and run with the
 * machine's {@code python3}. It sends what {@link LoadGenerator} sends (closed loop, the same
 * prompts, sampling and seeds) and reports aggregate tokens/s and TTFT percentiles, so the
 * two clients check each other's ratios.
 */
public final class IndependentClient {

    private final Path python;
    private final Path script;

    private IndependentClient(Path python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** The client, when {@code python3} is on the PATH; its script is written to {@code dir}. */
    public static Optional<IndependentClient> find(Path dir) {
        Optional<Path> python = onPath("python3");
        if (python.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = IndependentClient.class.getResourceAsStream("openai_load.py")) {
            if (in == null) {
                throw new IllegalStateException("openai_load.py is missing from the bench jar");
            }
            Files.createDirectories(dir);
            Path script = dir.resolve("openai_load.py");
            Files.write(script, in.readAllBytes());
            return Optional.of(new IndependentClient(python.get(), script));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One level: {@code concurrency} streams of {@code requestsPerStream} requests each. */
    public ServingLevel run(URI base, String model, List<String> prompts, int maxTokens, int concurrency, int requestsPerStream,
                            ChatStream.Sampling sampling, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "--url", base.toString(), "--model", model,
                "--streams", Integer.toString(concurrency), "--requests", Integer.toString(requestsPerStream),
                "--max-tokens", Integer.toString(maxTokens), "--temperature", Double.toString(sampling.temperature())));
        if (sampling.topP() != null) {
            cmd.addAll(List.of("--top-p", Double.toString(sampling.topP())));
        }
        if (sampling.seed() != null) {
            cmd.addAll(List.of("--seed", Long.toString(sampling.seed())));
        }
        for (String p : prompts) {
            cmd.addAll(List.of("--prompt", p));
        }
        Exec.Result r = Exec.run(cmd, null, Map.of(), timeout, line -> {});
        String last = r.stdout().strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        JsonNode o = Json.tryParse(last).orElseThrow(() -> new IllegalStateException("the Python client printed no summary (exit "
                + r.exitCode() + "):\n" + r.tail()));
        int requests = o.path("requests").asInt();
        int failed = o.path("failed").asInt();
        return new ServingLevel(concurrency, requests - failed, failed, o.path("completion_tokens").asLong(), o.path("wall_s").asDouble(),
                o.path("tokens_per_second").asDouble(), number(o.path("ttft_ms_p50")), number(o.path("ttft_ms_p90")), Double.NaN);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
