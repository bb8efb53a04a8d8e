package io.infernet.bench.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.natives.Exec;
import io.infernet.natives.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The ceiling of a serving level: llama.cpp's own {@code llama-batched-bench} generating as many
 * sequences at once as the level has streams, on the same libraries, threads, context per slot,
 * KV layout (a stream per sequence, as both servers use) and offload. It times ggml's batched
 * decode alone: no server, no HTTP, no sampling (it feeds back a fixed token), no prompts between
 * answers. A server on these libraries cannot generate faster than this; how close each gets, and
 * how far above llama-server this lies, bounds what any ratio between the servers can be.
 */
public final class BatchedDecode {
    private BatchedDecode() {}

    /** Prompt tokens per sequence before the timed generation: about as many as the load's chat prompts once templated. */
    public static final int PROMPT_TOKENS = 32;

    /**
     * One level of the ceiling: every round's generation tokens/s, in the order run.
     *
     * @param streams             sequences generating at once
     * @param promptTokens        prompt tokens per sequence (computed first, untimed in this figure)
     * @param genTokens           tokens each sequence generates
     * @param roundTokensPerSecond llama-batched-bench's {@code speed_tg} per round
     * @param command             the command line of the level
     */
    public record Level(int streams, int promptTokens, int genTokens, List<Double> roundTokensPerSecond, String command) {
        public Level {
            roundTokensPerSecond = List.copyOf(roundTokensPerSecond);
        }
    }

    /** llama-batched-bench's command line for one level, as {@link ServingBench#llamaServerCommand} sizes llama-server. */
    public static List<String> command(Path bin, Path model, int streams, ServingBench.Settings s) {
        return List.of(bin.toString(), "-m", model.toString(), "-c", Integer.toString(s.maxLevel() * s.contextPerSlot()),
                "-npp", Integer.toString(PROMPT_TOKENS), "-ntg", Integer.toString(s.maxTokens()), "-npl", Integer.toString(streams),
                "-t", Integer.toString(s.threads()), "-tb", Integer.toString(s.threads()), "-ngl", Integer.toString(s.gpuLayers()),
                "-no-kvu", "--output-format", "jsonl");
    }

    /**
     * The ceiling's rounds in a serving run: each level once per round, in the order run. After a
     * failure the rest is skipped and {@link #error()} says why (the servers' figures stand).
     */
    public static final class Rounds {
        private final Path bin;
        private final Path model;
        private final ServingBench.Settings settings;
        private final Progress progress;
        private final Map<Integer, List<Double>> rounds = new LinkedHashMap<>();
        private Optional<String> error = Optional.empty();

        public Rounds(Path bin, Path model, ServingBench.Settings settings, Progress progress) {
            this.bin = bin;
            this.model = model;
            this.settings = settings;
            this.progress = progress;
        }

        /** One round of a level, appended to that level's figures. */
        public void round(int streams, int round) {
            if (error.isPresent()) {
                return;
            }
            try {
                double tps = run(command(bin, model, streams, settings), settings.startTimeout());
                rounds.computeIfAbsent(streams, l -> new ArrayList<>()).add(tps);
                progress.step(String.format(Locale.ROOT, "serving: ggml's batched decode alone (llama-batched-bench), %d streams, round %d/%d: %.1f tokens/s",
                        streams, round + 1, settings.rounds(), tps));
            } catch (RuntimeException e) {
                String m = String.valueOf(e.getMessage());
                error = Optional.of(m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m);
            }
        }

        /** Why the ceiling stopped being measured, if it did. */
        public Optional<String> error() {
            return error;
        }

        /** The levels measured so far, in the order first measured. */
        public List<Level> levels() {
            return rounds.entrySet().stream().map(e -> new Level(e.getKey(), PROMPT_TOKENS, settings.maxTokens(), e.getValue(),
                    String.join(" ", command(bin, model, e.getKey(), settings)))).toList();
        }
    }

    /** Runs one level once; its generation tokens/s. */
    public static double run(List<String> command, Duration timeout) {
        Exec.Result r = Exec.run(command, null, Map.of(), timeout, line -> {});
        if (r.exitCode() != 0) {
            throw new IllegalStateException("llama-batched-bench failed (exit " + r.exitCode() + "):\n" + r.tail());
        }
        return speedTg(r.stdout());
    }

    /** {@code speed_tg} of the last JSON line that has one (llama-batched-bench's {@code --output-format jsonl}). */
    static double speedTg(String stdout) {
        String[] lines = stdout.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode o = Json.tryParse(line).orElse(null);
            if (o != null && o.path("speed_tg").isNumber() && o.path("speed_tg").asDouble() > 0) {
                return o.path("speed_tg").asDouble();
            }
        }
        throw new IllegalStateException("llama-batched-bench printed no speed_tg: " + (stdout.isBlank() ? "(nothing)" : lines[lines.length - 1]));
    }
}
