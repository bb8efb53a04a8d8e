package io.infernet.bench.llamabench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One invocation of llama.cpp's {@code llama-bench}, as a value: a {@code pp<promptTokens>} test
 * and a {@code tg<genTokens>} test, each with a warm-up run and {@code reps} timed repetitions,
 * JSON on standard output.
 *
 * @param binary       the {@code llama-bench} executable
 * @param model        the GGUF file
 * @param promptTokens tokens of the prompt-processing test ({@code -p})
 * @param genTokens    tokens of the generation test ({@code -n})
 * @param threads      CPU threads ({@code -t})
 * @param reps         timed repetitions of each test ({@code -r})
 * @param gpuLayers    layers to offload ({@code -ngl}); -1 leaves llama-bench's default (all layers)
 */
public record LlamaBenchCommand(Path binary, Path model, int promptTokens, int genTokens, int threads, int reps, int gpuLayers) {

    public LlamaBenchCommand {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(model, "model");
        if (promptTokens < 0 || genTokens < 0 || promptTokens + genTokens == 0) {
            throw new IllegalArgumentException("need prompt or generation tokens, got -p " + promptTokens + " -n " + genTokens);
        }
        if (threads < 1 || reps < 1) {
            throw new IllegalArgumentException("threads and reps must be >= 1, got -t " + threads + " -r " + reps);
        }
        if (gpuLayers < -1) {
            throw new IllegalArgumentException("gpuLayers must be -1 (default) or >= 0, got " + gpuLayers);
        }
    }

    /** The command line, program first. */
    public List<String> argv() {
        List<String> a = new ArrayList<>(List.of(binary.toString(), "-m", model.toString(),
                "-p", Integer.toString(promptTokens), "-n", Integer.toString(genTokens),
                "-t", Integer.toString(threads), "-r", Integer.toString(reps), "-o", "json"));
        if (gpuLayers >= 0) {
            a.add("-ngl");
            a.add(Integer.toString(gpuLayers));
        }
        return List.copyOf(a);
    }

    /** The command line for a report, arguments with spaces quoted. */
    public String display() {
        return String.join(" ", argv().stream().map(s -> s.contains(" ") ? "'" + s + "'" : s).toList());
    }
}
