package io.infernet.bench.inproc;

import io.infernet.runtime.LlamaRuntime;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelParams;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of the child JVM that measures the in-process runtime on one set of libraries
 * ({@code -Dinfernet.llama.dir} chooses them, so the choice is per process). Prints progress on
 * standard error and one line {@value #PREFIX}{@code {json}} with a {@link ProbeResult} on
 * standard output; exits 1 with a message on failure.
 *
 * <p>Arguments: {@code --model PATH --threads N --reps R --pp TOKENS --tg TOKENS --gpu-layers N --seed S}.
 */
public final class ProbeMain {
    private ProbeMain() {}

    /** Marks the result line among anything else a library might print. */
    public static final String PREFIX = "INFERNET-PROBE ";

    public static void main(String[] args) {
        try {
            Map<String, String> a = parse(args);
            Path model = Path.of(require(a, "--model"));
            int threads = Integer.parseInt(require(a, "--threads"));
            int reps = Integer.parseInt(a.getOrDefault("--reps", "3"));
            int pp = Integer.parseInt(a.getOrDefault("--pp", "512"));
            int tg = Integer.parseInt(a.getOrDefault("--tg", "128"));
            int gpuLayers = Integer.parseInt(a.getOrDefault("--gpu-layers", "-1"));
            long seed = Long.parseLong(a.getOrDefault("--seed", "1234"));
            LlamaRuntime.load(line -> System.err.println("[probe] " + line));
            ProbeResult r;
            try (Model m = Model.load(model, ModelParams.defaults().withGpuLayers(gpuLayers))) {
                r = new InProcessBench(m, threads, pp, tg, seed, line -> System.err.println("[probe] " + line)).run(reps, gpuLayers);
            }
            System.out.println(PREFIX + io.infernet.engines.Json.MAPPER.writeValueAsString(r));
            System.out.flush();
            System.exit(0);
        } catch (Exception | LinkageError e) {
            System.err.println("[probe] error: " + e);
            if ("1".equals(System.getenv("INFERNET_DEBUG"))) {
                e.printStackTrace();
            }
            System.exit(1);
        }
    }

    /** {@code --name value} pairs, as the bench's child JVMs take their arguments. */
    public static Map<String, String> parse(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            out.put(args[i], args[++i]);
        }
        return out;
    }

    /** The value of {@code key}, or an error that names it. */
    public static String require(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    /** Finds the result line in a probe's standard output. */
    public static ProbeResult parseOutput(String stdout) {
        for (String line : stdout.split("\n")) {
            if (line.startsWith(PREFIX)) {
                try {
                    return io.infernet.engines.Json.MAPPER.readValue(line.substring(PREFIX.length()), ProbeResult.class);
                } catch (Exception e) {
                    throw new IllegalStateException("unreadable probe result: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalStateException("the probe printed no result line");
    }
}
