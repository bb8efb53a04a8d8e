package io.infernet.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.ChatTemplate;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.NativeSampler;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.Warmup;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code infernet generate}: one generation in process, streamed to standard output. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt with llama.cpp in this process, streaming it to standard output.")
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", required = true, description = "The prompt text.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "128", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "1 = off (default ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "0 = off (default ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "1 = off (default ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--seed", description = "Seed of the draw (default: random).")
    Long seed;

    @Option(names = "--threads", description = "Threads (default: physical cores).")
    Integer threads;

    @Option(names = "--ctx", defaultValue = "4096", description = "Context length in tokens (default ${DEFAULT-VALUE}, at most the model's).")
    int ctx;

    @Option(names = "--chat", description = "Send the prompt as a user message through the model's chat template.")
    boolean chat;

    @Option(names = "--json", description = "Print one JSON object (token ids, text, timings) instead of streaming text.")
    boolean json;

    @Option(names = "--sampler", defaultValue = "java", description = "java (the project's Vector API sampler) or native (llama.cpp's).")
    String sampler;

    @Option(names = "--no-warmup", hidden = true, description = "Skip the warm-up: the Java sampler compiled while the model loads,"
            + " and a short generation before the one that counts (to measure what they save).")
    boolean noWarmup;

    /** Tokens of the warm-up generation: enough for ggml's first decodes and every downcall's first call (bench/results/cold-start.md). */
    static final int WARM_TOKENS = 8;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new Main.UsageError("--max-tokens must be >= 1");
        }
        if (ctx < 8) {
            throw new Main.UsageError("--ctx must be >= 8");
        }
        SamplingParams params = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 64, 0f, 0f, Map.of(),
                seed != null ? seed : System.nanoTime());
        int n = threads != null ? threads : CpuTopology.physicalCores();
        // The sampler compiles, in the mode asked for, while the model loads: measured on 2 cores, a
        // fresh 128-token generate went from 143-157 to 248-367 tokens/s, the first token coming
        // 0.2-0.4 s later, the whole run as long or shorter (bench/results/cold-start.md).
        Warmup warmup = sampler.equals("java") && !noWarmup ? Warmup.start(List.of(params), Warmup.SAMPLES_PER_MODE) : null;
        try (Model m = Model.load(model.resolve())) {
            int kvCells = Math.min(ctx, Math.max(8, m.contextLengthTrained()));
            String text = chat ? ChatTemplate.of(m).apply(List.of(new ChatTemplate.Message("user", prompt)), true) : prompt;
            int[] promptTokens = m.vocab().tokenize(text, true, chat);
            try (Context c = m.newContext(ContextParams.defaults().withKvCells(kvCells).withThreads(n, n)
                         .withBatch(Math.min(512, kvCells), Math.min(512, kvCells)));
                 Generator g = new Generator(c);
                 TokenSampler s = switch (sampler) {
                     case "java" -> new JavaSampler(params, m.vocab().size());
                     case "native" -> new NativeSampler(params, m.vocab().size());
                     default -> throw new Main.UsageError("--sampler must be java or native, got " + sampler);
                 }) {
                if (warmup != null) {
                    warmup.await(Duration.ofSeconds(10));
                }
                if (!noWarmup) {
                    g.warmUp(promptTokens, s, WARM_TOKENS);
                }
                PrintStream out = System.out;
                StringBuilder all = new StringBuilder();
                io.infernet.runtime.Utf8Accumulator utf8 = new io.infernet.runtime.Utf8Accumulator();
                long[] firstTokenAt = {0};
                Generator.Result r = g.generate(promptTokens, s, maxTokens, false, (token, bytes, len) -> {
                    if (firstTokenAt[0] == 0) {
                        firstTokenAt[0] = System.currentTimeMillis();
                    }
                    if (json) {
                        all.append(utf8.append(bytes, len));
                    } else {
                        out.write(bytes, 0, len);
                        out.flush();
                    }
                    return true;
                });
                if (json) {
                    all.append(utf8.flush());
                    printJson(r, all.toString(), m, firstTokenAt[0] == 0 ? -1
                            : firstTokenAt[0] - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
                } else {
                    out.println();
                    System.err.printf("[infernet] prompt: %d tokens in %.1f ms (%.1f t/s); generated %d tokens in %.1f ms (%.1f t/s); stop: %s%n",
                            r.promptTokens().length, r.promptMs(), r.promptTokensPerSecond(), r.tokens().length, r.generationMs(),
                            r.generationTokensPerSecond(), r.reason().name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return 0;
    }

    /** @param firstTokenSinceStartMs from the JVM's start to the first generated token, ms; -1 when none came */
    private void printJson(Generator.Result r, String text, Model m, long firstTokenSinceStartMs) throws Exception {
        ObjectMapper mapper = io.infernet.engines.Json.MAPPER;
        ObjectNode o = mapper.createObjectNode();
        o.put("model", m.path().toString());
        o.set("prompt_tokens", mapper.valueToTree(r.promptTokens()));
        o.set("tokens", mapper.valueToTree(r.tokens()));
        o.put("text", text);
        o.put("stop_reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode t = o.putObject("timings");
        t.put("prompt_ms", r.promptMs());
        t.put("prompt_tokens_per_second", r.promptTokensPerSecond());
        t.put("generation_ms", r.generationMs());
        t.put("generation_tokens_per_second", r.generationTokensPerSecond());
        t.put("first_token_ms_since_start", firstTokenSinceStartMs);
        System.out.println(mapper.writeValueAsString(o));
    }
}
