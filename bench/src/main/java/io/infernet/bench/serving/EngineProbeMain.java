package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.bench.inproc.ProbeMain;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.engines.inprocess.InProcessOptions;
import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.LlamaRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of a child JVM that runs the in-process engine exactly as {@code infernet serve}
 * opens it (same {@link InProcessEngine#open} settings), with no HTTP in between: the reference
 * the HTTP streaming overhead is measured against. The parent keeps it alive beside the server
 * and interleaves its trials with streamed HTTP requests, so both see the same machine.
 *
 * <p>Arguments: {@code --model PATH --parallel N --threads N --ctx N}. Then, per line on standard
 * input, {@code MAX_TOKENS<TAB>PROMPT}: one greedy chat generation of that user message, and one
 * line {@value #PREFIX}{@code {"tokens":n,"ttftMs":t,"perTokenMs":p}} on standard output. Times
 * are taken when the engine hands each token to its listener, the moment the HTTP layer would
 * receive it; per token is the mean gap after the first, as the streaming client computes it.
 */
public final class EngineProbeMain {
    private EngineProbeMain() {}

    /** Marks result lines among anything else a library might print. */
    public static final String PREFIX = "INFERNET-ENGINE ";

    /** One generation as the probe measured it. */
    public record Trial(long tokens, double ttftMs, double perTokenMs) {}

    public static void main(String[] args) {
        try {
            Map<String, String> a = ProbeMain.parse(args);
            LlamaRuntime.load(line -> System.err.println("[engine-probe] " + line));
            ObjectMapper json = io.infernet.engines.Json.MAPPER;
            try (InProcessEngine engine = InProcessEngine.open(new InProcessOptions(Path.of(ProbeMain.require(a, "--model")),
                    Integer.parseInt(ProbeMain.require(a, "--parallel")), Integer.parseInt(ProbeMain.require(a, "--ctx")),
                    Integer.parseInt(ProbeMain.require(a, "--threads")), 0, 64, false))) {
                System.out.println(PREFIX + "ready");
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    int tab = line.indexOf('\t');
                    if (tab < 0) {
                        throw new IllegalArgumentException("expected MAX_TOKENS<TAB>PROMPT, got '" + line + "'");
                    }
                    Trial t = trial(engine, line.substring(tab + 1), Integer.parseInt(line.substring(0, tab)));
                    System.out.println(PREFIX + json.writeValueAsString(t));
                    System.out.flush();
                }
            }
            System.exit(0);
        } catch (Exception | LinkageError e) {
            System.err.println("[engine-probe] error: " + e);
            System.exit(1);
        }
    }

    /** One greedy chat generation, timed at the listener. */
    static Trial trial(InProcessEngine engine, String prompt, int maxTokens) throws Exception {
        GenerationRequest req = GenerationRequest.chat(null, List.of(new ChatMessage("user", prompt)), SamplingParams.greedy(), maxTokens);
        long[] first = {0};
        long[] last = {0};
        long[] count = {0};
        long t0 = System.nanoTime();
        var g = engine.generate(req, event -> {
            if (event instanceof GenerationEvent.Token t && !t.text().isEmpty()) {
                long now = System.nanoTime();
                if (count[0]++ == 0) {
                    first[0] = now;
                }
                last[0] = now;
            }
        });
        GenerationEvent end = g.completion().get(10, TimeUnit.MINUTES);
        if (!(end instanceof GenerationEvent.Done d)) {
            throw new IllegalStateException("the generation failed: " + end);
        }
        long n = d.usage().completionTokens();
        double ttft = count[0] == 0 ? Double.NaN : (first[0] - t0) / 1e6;
        double per = n < 2 || count[0] < 2 ? Double.NaN : (last[0] - first[0]) / 1e6 / (n - 1);
        return new Trial(n, ttft, per);
    }
}
