package io.infernet.bench.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.bench.stats.Summary;
import io.infernet.natives.Progress;
import io.infernet.engines.Json;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infernet bench control-plane}: the control plane side by side with the node it routes
 * to. Starts, as separate processes, a control plane (embedded PostgreSQL), a provider node
 * ({@code start}) and the same model served directly ({@code serve}); then, in interleaved
 * rounds, the same streamed request to the node's own API and through the gateway (time to
 * first token, time per token after the first, tokens/s), and the dispatcher's routing rate
 * (pending jobs assigned per second to fake live providers written into the database).
 */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
        description = "Benchmark the control plane: gateway TTFT and per-token overhead against calling the node directly, jobs routed per second.")
public final class ControlPlaneBenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model (default: the generated tiny model)")
    Path model;

    @Option(names = "--rounds", defaultValue = "5", description = "Interleaved rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--requests", defaultValue = "4", description = "Streamed requests per path per round (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--max-tokens", defaultValue = "64", description = "Tokens per request (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--routing-jobs", defaultValue = "2000", description = "Jobs for the routing rate (default ${DEFAULT-VALUE})")
    int routingJobs;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the report (markdown) here")
    Path out;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> started = new ArrayList<>();

    /** One streamed request's timings. */
    record Sample(double ttftMs, double totalMs, int tokens) {
        double perTokenMs() {
            return tokens > 1 ? (totalMs - ttftMs) / (tokens - 1) : Double.NaN;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Path modelPath = model != null ? model : DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
        String modelId = modelPath.getFileName().toString().replaceAll("\\.gguf$", "");
        Path dir = Files.createTempDirectory("infernet-cp-bench");
        try {
            int cpPort = freePort();
            int servePort = freePort();
            Process cp = start(dir, "cp", "control-plane", "--port", String.valueOf(cpPort), "--data-dir", dir.resolve("cp").toString());
            String jdbc = await(dir.resolve("cp.log"), cp, "\\((jdbc:postgresql://[^)]+)\\)").group(1);
            String cpUrl = "http://127.0.0.1:" + cpPort;
            run(dir, "init", "init", "--config-dir", dir.resolve("node").toString(), "--url", cpUrl, "--name", "bench-node", "--no-advertise");
            Process node = start(dir, "node", "start", "--config-dir", dir.resolve("node").toString(), "--model", modelPath.toString());
            await(dir.resolve("node.log"), node, "is running with the");
            Process serve = start(dir, "serve", "serve", "--model", modelPath.toString(), "--port", String.valueOf(servePort), "--engine", "in-process");
            await(dir.resolve("serve.log"), serve, "infernet: serving");
            awaitModel(cpUrl, modelId);

            String direct = "http://127.0.0.1:" + servePort;
            List<Sample> d = new ArrayList<>();
            List<Sample> g = new ArrayList<>();
            stream(direct, modelId); // warm both paths
            stream(cpUrl, modelId);
            for (int r = 0; r < rounds; r++) {
                boolean directFirst = r % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    boolean isDirect = (side == 0) == directFirst;
                    for (int i = 0; i < requests; i++) {
                        (isDirect ? d : g).add(stream(isDirect ? direct : cpUrl, modelId));
                    }
                }
            }
            double routed = routingRate(jdbc);
            String report = report(modelId, d, g, routed);
            o.println(report);
            o.flush();
            if (out != null) {
                Files.writeString(out, report);
            }
            return 0;
        } finally {
            for (Process p : started.reversed()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private Sample stream(String base, String modelId) throws IOException, InterruptedException {
        String body = "{\"model\":\"" + modelId + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Write about the sea.\"}]}";
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(base + " answered " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long first = -1;
        int tokens = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode c = Json.parse(line.substring(6).getBytes(StandardCharsets.UTF_8));
                if (first < 0 && !c.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) {
                    first = System.nanoTime();
                }
                if (c.path("usage").isObject()) {
                    tokens = c.get("usage").get("completion_tokens").asInt();
                }
            }
        }
        long end = System.nanoTime();
        return new Sample((first - t0) / 1e6, (end - t0) / 1e6, tokens);
    }

    /** Pending jobs assigned per second by the running control plane's dispatcher, to 50 fake live providers. */
    private double routingRate(String jdbc) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement()) {
            s.execute("insert into providers (name, node_id, public_key, status, last_seen, specs) select 'fake-' || g, 'fake-' || g, "
                    + "md5(g::text) || md5(g::text), 'available', now() + interval '1 hour', "
                    + "'{\"load\":{\"concurrency_cap\":100000,\"active_jobs\":0}}'::jsonb from generate_series(1, 50) g");
            try (PreparedStatement ps = c.prepareStatement("insert into jobs (title, type, status, model_name, input_spec) "
                    + "select 'bench', 'chat', 'pending', 'no-such-model-' || g, '{}'::jsonb from generate_series(1, ?) g")) {
                ps.setInt(1, routingJobs);
                ps.execute(); // a model nobody serves: they queue
            }
            long t0 = System.nanoTime();
            s.execute("update jobs set model_name = null where title = 'bench' and status = 'pending'; select pg_notify('infernet_queue', 'work')");
            while (true) {
                try (ResultSet rs = s.executeQuery("select count(*) from jobs where title = 'bench' and status = 'pending'")) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        break;
                    }
                }
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(5)) {
                    throw new IllegalStateException("the dispatcher did not assign " + routingJobs + " jobs within 5 minutes");
                }
                Thread.sleep(5);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            s.execute("delete from jobs where title = 'bench'; delete from providers where name like 'fake-%'");
            return routingJobs / secs;
        }
    }

    private String report(String modelId, List<Sample> d, List<Sample> g, double routed) {
        StringBuilder b = new StringBuilder();
        b.append("## Control plane: gateway against the node directly\n\n");
        b.append("Model `").append(modelId).append("`, ").append(maxTokens).append(" tokens per request, greedy, one stream at a time; ")
                .append(rounds).append(" interleaved rounds of ").append(requests).append(" requests per path.\n\n");
        b.append("| path | TTFT ms (median, min-max) | ms per token after the first | tokens/s per stream |\n|---|---|---|---|\n");
        row(b, "node directly (`serve`)", d);
        row(b, "through the gateway", g);
        Summary dt = Summary.of(d.stream().mapToDouble(Sample::perTokenMs).toArray());
        Summary gt = Summary.of(g.stream().mapToDouble(Sample::perTokenMs).toArray());
        b.append(String.format(Locale.ROOT, "%nGateway overhead per token (median): %+.3f ms; TTFT added (median): %+.1f ms.%n",
                gt.median() - dt.median(), Summary.of(g.stream().mapToDouble(Sample::ttftMs).toArray()).median()
                        - Summary.of(d.stream().mapToDouble(Sample::ttftMs).toArray()).median()));
        b.append(String.format(Locale.ROOT, "%nJobs routed per second (dispatcher, %d pending jobs, 50 live providers): %.0f%n", routingJobs, routed));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, List<Sample> s) {
        Summary ttft = Summary.of(s.stream().mapToDouble(Sample::ttftMs).toArray());
        Summary per = Summary.of(s.stream().mapToDouble(Sample::perTokenMs).toArray());
        b.append(String.format(Locale.ROOT, "| %s | %.1f (%.1f-%.1f) | %.3f (%.3f-%.3f) | %.1f |%n", name, ttft.median(), ttft.min(), ttft.max(),
                per.median(), per.min(), per.max(), 1000 / per.median()));
    }

    private void awaitModel(String cpUrl, String modelId) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cpUrl + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("\"" + modelId + "\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the node never offered " + modelId + " through the control plane");
    }

    private Process start(Path dir, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), "io.infernet.node.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    private void run(Path dir, String name, String... args) throws Exception {
        Process p = start(dir, name, args);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(name + " failed: " + Files.readString(dir.resolve(name + ".log")));
        }
    }

    private static Matcher await(Path log, Process p, String regex) throws Exception {
        Pattern pat = Pattern.compile(regex, Pattern.MULTILINE);
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < end) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = pat.matcher(text);
            if (m.find()) {
                return m;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(log.getFileName() + ": the process exited:\n" + text);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(log + " never printed /" + regex + "/");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
