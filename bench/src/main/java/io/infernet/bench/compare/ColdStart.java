package io.infernet.bench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.bench.inproc.ChildJvm;
import io.infernet.bench.llamabench.LlamaBenchCommand;
import io.infernet.bench.llamabench.LlamaBenchRunner;
import io.infernet.bench.stats.Summary;
import io.infernet.engines.Json;
import io.infernet.natives.Exec;
import io.infernet.natives.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user meets: a fresh process asked for {@code tokens} tokens, timed from the process
 * start and from the first token, beside llama-bench's tg (which warms up and repeats) and
 * llama.cpp's {@code llama-simple} (a fresh process too), on the same model, interleaved round by
 * round. Ours is {@code infernet generate} with its defaults (the Java sampler, greedy), in a
 * child JVM as the launcher starts it.
 */
public final class ColdStart {

    /**
     * @param threads ggml threads of ours and llama-bench (llama-simple has no thread option: it runs llama.cpp's default)
     * @param tokens  tokens to generate
     * @param rounds  interleaved rounds
     */
    public record Settings(int threads, int tokens, int rounds, Duration timeout) {}

    /**
     * The figures, per round.
     *
     * @param oursTokensPerSecond     ours: generated tokens / time from the first token to the last
     * @param oursFirstTokenMs        ours: from the process start to the first token
     * @param oursWallMs              ours: the whole process, start to exit
     * @param llamaBenchTokensPerSecond llama-bench tg (empty when not run)
     * @param llamaSimpleTokensPerSecond llama-simple's own "speed" (empty when not run)
     * @param llamaSimpleWallMs       llama-simple, start to exit
     * @param notes                   how it was run
     */
    public record Result(List<Double> oursTokensPerSecond, List<Double> oursFirstTokenMs, List<Double> oursWallMs,
                         List<Double> llamaBenchTokensPerSecond, List<Double> llamaSimpleTokensPerSecond, List<Double> llamaSimpleWallMs,
                         List<String> notes) {
        /** Ours / llama-bench tg per round, the median; NaN without llama-bench. */
        public double ratioToLlamaBench() {
            return ratio(oursTokensPerSecond, llamaBenchTokensPerSecond);
        }

        public double ratioToLlamaSimple() {
            return ratio(oursTokensPerSecond, llamaSimpleTokensPerSecond);
        }

        private static double ratio(List<Double> a, List<Double> b) {
            if (b.isEmpty() || a.size() != b.size()) {
                return Double.NaN;
            }
            double[] r = new double[a.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = a.get(i) / b.get(i);
            }
            return Summary.of(r).median();
        }
    }

    private static final Pattern SIMPLE_SPEED = Pattern.compile("decoded (\\d+) tokens in ([0-9.]+) s, speed: ([0-9.]+) t/s");

    private final Settings s;
    private final Progress progress;

    public ColdStart(Settings settings, Progress progress) {
        this.s = settings;
        this.progress = progress;
    }

    public Result run(Path model, Optional<Path> libraryDir, Optional<Path> llamaBench, Optional<Path> llamaSimple) {
        List<Double> oursTps = new ArrayList<>();
        List<Double> oursFirst = new ArrayList<>();
        List<Double> oursWall = new ArrayList<>();
        List<Double> benchTps = new ArrayList<>();
        List<Double> simpleTps = new ArrayList<>();
        List<Double> simpleWall = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add("ours: a fresh 'infernet generate --max-tokens " + s.tokens() + " --temperature 0 --threads " + s.threads()
                + "' per round (the Java sampler; defaults otherwise); tokens/s from its first token to its last");
        llamaSimple.ifPresent(p -> notes.add("llama-simple takes no thread count: it runs llama.cpp's default (4 threads)"));
        for (int r = 0; r < s.rounds(); r++) {
            // Who goes first alternates, so the machine's drift weighs on all alike.
            List<Runnable> steps = new ArrayList<>();
            steps.add(() -> ours(model, libraryDir, oursTps, oursFirst, oursWall));
            llamaBench.ifPresent(b -> steps.add(() -> benchTps.add(llamaBench(b, model))));
            llamaSimple.ifPresent(b -> steps.add(() -> simple(b, model, simpleTps, simpleWall)));
            if (r % 2 == 1) {
                java.util.Collections.reverse(steps);
            }
            steps.forEach(Runnable::run);
            progress.step(String.format(Locale.ROOT, "cold start, round %d/%d: ours %.1f tokens/s (first token %.0f ms after the process started)%s%s",
                    r + 1, s.rounds(), oursTps.getLast(), oursFirst.getLast(),
                    benchTps.isEmpty() ? "" : String.format(Locale.ROOT, ", llama-bench tg%d %.1f", s.tokens(), benchTps.getLast()),
                    simpleTps.isEmpty() ? "" : String.format(Locale.ROOT, ", llama-simple %.1f", simpleTps.getLast())));
        }
        return new Result(oursTps, oursFirst, oursWall, benchTps, simpleTps, simpleWall, notes);
    }

    private void ours(Path model, Optional<Path> libraryDir, List<Double> tps, List<Double> first, List<Double> wall) {
        List<String> cmd = ChildJvm.ofCurrent(libraryDir, "io.infernet.node.cli.Main", List.of("generate", "--model", model.toString(),
                "--prompt", "Once upon a time", "--max-tokens", Integer.toString(s.tokens()), "--temperature", "0",
                "--threads", Integer.toString(s.threads()), "--json")).command();
        long t0 = System.nanoTime();
        Exec.Result r = Exec.run(cmd, null, Map.of("INFERNET_SKIP_MODEL_CHECK", "1"), s.timeout(), line -> {});
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.exitCode() != 0) {
            throw new IllegalStateException("infernet generate failed with exit code " + r.exitCode() + ":\n" + r.tail());
        }
        JsonNode o = Json.tryParse(lastLine(r.stdout())).orElseThrow(() -> new IllegalStateException("infernet generate printed no JSON: " + r.stdout()));
        JsonNode t = o.path("timings");
        tps.add(t.path("generation_tokens_per_second").asDouble());
        first.add(t.path("first_token_ms_since_start").asDouble());
        wall.add(ms);
    }

    private double llamaBench(Path bin, Path model) {
        return LlamaBenchRunner.run(new LlamaBenchCommand(bin, model, 0, s.tokens(), s.threads(), 1, 0), s.timeout())
                .getFirst().avgTs();
    }

    private void simple(Path bin, Path model, List<Double> tps, List<Double> wall) {
        long t0 = System.nanoTime();
        Exec.Result r = Exec.run(List.of(bin.toString(), "-m", model.toString(), "-n", Integer.toString(s.tokens()), "Once upon a time"),
                null, Map.of(), s.timeout(), line -> {});
        double ms = (System.nanoTime() - t0) / 1e6;
        Matcher m = SIMPLE_SPEED.matcher(r.stderr());
        if (r.exitCode() != 0 || !m.find()) {
            throw new IllegalStateException("llama-simple failed (exit " + r.exitCode() + "):\n" + r.tail());
        }
        tps.add(Double.parseDouble(m.group(3)));
        wall.add(ms);
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }
}
