package io.infernet.bench.grammar;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.bench.serving.ChatStream;
import io.infernet.bench.serving.ServerProcess;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.LlamaRuntime;
import io.infernet.runtime.Model;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.runtime.serve.ServeConfig;
import io.infernet.server.ApiServer;
import io.infernet.server.ServerConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code json_schema} generation speed side by side on the same model file: ours unconstrained,
 * ours constrained, llama-server (the pin, built from source) constrained and unconstrained. Both
 * servers run the same llama.cpp build (the pin's CPU source build, {@code -march=native}), one
 * sequence slot, the same threads and context, and are driven by the same streaming HTTP client
 * ({@link ChatStream}); the rate is the decode rate between the first and the last content chunk.
 * The four kinds of request are interleaved round by round (the machine may be shared), the first
 * round (a new schema: compile and first masks) reported apart, medians over the rest.
 *
 * <p>Requests: one user message, temperature 1 with a seed per round, {@code max_tokens} M; the
 * unconstrained ones ban the end-of-sequence token so they also run to M; the schema's strings are
 * unbounded, so on a random-weight model a constrained answer also runs to about M tokens (ours
 * completes the JSON within M; llama-server stops at M).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * bench/target/classes:$(cat bench/target/classpath.txt) io.infernet.bench.grammar.StructuredOutputBench
 * [--vocab llama-spm|qwen2] [--rounds 7] [--max-tokens 200] [--threads 1]}
 */
public final class StructuredOutputBench {
    private StructuredOutputBench() {}

    /** OpenAI strict style: every property required, no others; nested object, array, enum, number, boolean. */
    static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
             "email":{"type":"string"},"active":{"type":"boolean"},"score":{"type":"number"},
             "role":{"enum":["admin","user","guest"]},"tags":{"type":"array","items":{"type":"string"},"maxItems":5},
             "address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},
              "required":["street","city"],"additionalProperties":false}},
             "required":["name","age","email","active","score","role","tags","address"],"additionalProperties":false}""";

    record Kind(String server, boolean constrained) {
        String label() {
            return server + (constrained ? " json_schema" : " unconstrained");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        String vocab = a.getOrDefault("--vocab", "llama-spm");
        int rounds = Integer.parseInt(a.getOrDefault("--rounds", "7"));
        int maxTokens = Integer.parseInt(a.getOrDefault("--max-tokens", "200"));
        int threads = Integer.parseInt(a.getOrDefault("--threads", "1"));
        Path modelFile = DemoModel.ensure(SynthPreset.DEMO.spec().withVocab(vocab), Progress.STDERR);
        Path llamaServer = SourceBuild.tool(SourceBuild.Backend.CPU_NATIVE, "llama-server", Progress.STDERR);
        SourceBuild.select(SourceBuild.Backend.CPU_NATIVE); // the same llama.cpp code as llama-server
        LlamaRuntime.load();

        Model model = Model.load(modelFile);
        int eos = model.vocab().eos();
        int ctx = 2048;
        Path log = Files.createTempFile("llama-server-structured", ".log");
        int port = freePort();
        try (InProcessEngine engine = new InProcessEngine(model, "m", ServeConfig.perSlot(1, ctx).withThreads(threads), JavaSampler::new);
             ApiServer ours = ApiServer.start(engine, ServerConfig.defaults().withPort(0));
             ServerProcess theirs = ServerProcess.start(List.of(llamaServer.toString(), "-m", modelFile.toString(), "--host", "127.0.0.1",
                     "--port", Integer.toString(port), "-t", Integer.toString(threads), "-tb", Integer.toString(threads), "-c",
                     Integer.toString(ctx), "-np", "1", "-a", "m", "--no-webui"), URI.create("http://127.0.0.1:" + port), log,
                     Duration.ofSeconds(120))) {
            Map<String, ChatStream> clients = Map.of(
                    "infernet", new ChatStream(URI.create(ours.baseUrl()), Duration.ofMinutes(5)),
                    "llama-server", new ChatStream(URI.create("http://127.0.0.1:" + port), Duration.ofMinutes(5)));
            List<Kind> kinds = List.of(new Kind("infernet", false), new Kind("infernet", true), new Kind("llama-server", true),
                    new Kind("llama-server", false));
            Map<Kind, List<Double>> rates = new LinkedHashMap<>();
            Map<Kind, Double> first = new LinkedHashMap<>();
            Map<Kind, Integer> valid = new LinkedHashMap<>();
            for (int r = 0; r <= rounds; r++) {
                for (int k = 0; k < kinds.size(); k++) {
                    Kind kind = kinds.get((k + r) % kinds.size()); // rotate the order round by round
                    ChatStream.Outcome o = clients.get(kind.server()).sendBody(body(kind.constrained(), maxTokens, r, eos));
                    if (!o.ok()) {
                        throw new IllegalStateException(kind.label() + " failed: " + o.error());
                    }
                    double rate = 1000.0 / o.interTokenMs();
                    if (r == 0) {
                        first.put(kind, rate);
                    } else {
                        rates.computeIfAbsent(kind, x -> new ArrayList<>()).add(rate);
                    }
                    System.err.printf("round %d %-28s %4d tokens %7.1f tokens/s%n", r, kind.label(), o.completionTokens(), rate);
                }
            }
            List<Double> ourFreeR = rates.get(kinds.get(0));
            List<Double> ourJsonR = rates.get(kinds.get(1));
            List<Double> theirJsonR = rates.get(kinds.get(2));
            List<Double> theirFreeR = rates.get(kinds.get(3));
            System.out.printf("model %s (%d tokens), %d threads, max_tokens %d, %d rounds (+1 first)%n", modelFile.getFileName(),
                    model.vocab().size(), threads, maxTokens, rounds);
            System.out.println("| server | request | first round (tokens/s) | median (tokens/s) | min..max |");
            System.out.println("|---|---|---|---|---|");
            for (Kind k : kinds) {
                List<Double> v = rates.get(k);
                System.out.printf("| %s | %s | %.1f | %.1f | %.1f..%.1f |%n", k.server(), k.constrained() ? "json_schema" : "unconstrained",
                        first.get(k), median(v), v.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        v.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            }
            // ratios within each round (the same minutes of a shared machine), then their median
            System.out.printf("ours constrained / ours unconstrained: median of the rounds' ratios %.3f (floor 0.9)%n", pairedMedian(ourJsonR, ourFreeR));
            System.out.printf("ours constrained / llama-server constrained: %.3f (floor 1.0)%n", pairedMedian(ourJsonR, theirJsonR));
            System.out.printf("llama-server constrained / llama-server unconstrained: %.3f%n", pairedMedian(theirJsonR, theirFreeR));
            System.out.printf("ours unconstrained / llama-server unconstrained: %.3f%n", pairedMedian(ourFreeR, theirFreeR));
        }
    }

    static String body(boolean constrained, int maxTokens, int round, int eos) {
        ObjectNode o = io.infernet.engines.Json.object();
        o.put("model", "m");
        o.putArray("messages").addObject().put("role", "user").put("content", "Describe a user of the system as JSON.");
        o.put("max_tokens", maxTokens);
        o.put("temperature", 1.0);
        o.put("top_k", 0);
        o.put("top_p", 1.0);
        o.put("min_p", 0.0);
        o.put("seed", 1000 + round);
        o.put("stream", true);
        o.putObject("stream_options").put("include_usage", true);
        if (constrained) {
            ObjectNode js = o.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            js.put("name", "user");
            js.put("strict", true);
            js.set("schema", io.infernet.engines.Json.tryParse(SCHEMA).orElseThrow());
        } else {
            o.putObject("logit_bias").put(Integer.toString(eos), -100);
        }
        return o.toString();
    }

    private static double pairedMedian(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            r.add(a.get(i) / b.get(i));
        }
        return median(r);
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            out.put(args[i], args[i + 1]);
        }
        return out;
    }
}
