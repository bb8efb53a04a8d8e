package io.infernet.bench.cli;

import io.infernet.bench.BenchRunner;
import io.infernet.bench.report.BenchReport;
import io.infernet.bench.report.ReportWriter;
import io.infernet.bench.report.TextTable;
import io.infernet.bench.serving.ServingBench;
import io.infernet.bench.tier.BenchTier;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import io.infernet.node.cli.Main;
import io.infernet.runtime.CpuTopology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infernet bench}: throughput per VRAM tier, side by side with llama.cpp's own tools. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchJmhCommand.class, BenchChatTemplatesCommand.class,
        io.infernet.bench.controlplane.ControlPlaneBenchCommand.class, io.infernet.bench.soak.SoakCommand.class},
        description = {"Benchmark the in-process runtime per VRAM tier (synthesized models of real shapes), side by side with llama.cpp's "
                + "llama-bench built from the pinned source, interleaved in one run. Prints a table and writes report.json, report.md "
                + "and PNG charts to --out.",
                "Tiers: demo (512x8 Q8_0, quick), cpu (1b Q4_0), 8gb (7b), 12gb (13b), 24gb (33b), 48gb (70b); a tier runs only where its "
                        + "model fits (GPU tiers need a GPU)."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--tier", defaultValue = "auto", paramLabel = "TIERS",
            description = "auto (every VRAM tier that fits), or a comma-separated list of: demo, cpu, 8gb, 12gb, 24gb, 48gb (default ${DEFAULT-VALUE}).")
    String tier;

    @Option(names = "--compare-native", description = "Also run llama-bench from the pin (built from source on first use, cached) and our "
            + "runtime on the very same libraries, interleaved, and report the ratios.")
    boolean compareNative;

    @Option(names = "--serving", description = "Also measure serving: aggregate tokens/s and TTFT percentiles at --streams concurrent streams, "
            + "llama-server (from the pin) vs infernet serve, through the OpenAI-compatible API, beside the ceiling: llama-batched-bench "
            + "(ggml's batched decode alone, no server) at the same streams, in the same rounds.")
    boolean serving;

    @Option(names = "--streams", split = ",", defaultValue = "1,4,8,16", description = "Concurrent streams for --serving (default ${DEFAULT-VALUE}).")
    List<Integer> streams;

    @Option(names = "--serving-prompts", paramLabel = "shared|distinct", defaultValue = "shared",
            description = "Prompts of the --serving load: shared (the streams of a round send the same prompt, 4 prompts) or distinct "
                    + "(they send different ones, 7 prompts) (default ${DEFAULT-VALUE}).")
    String servingPrompts;

    @Option(names = "--threads", description = "CPU threads for both sides (default: physical cores).")
    Integer threads;

    @Option(names = "--rounds", defaultValue = "3", description = "Interleaved rounds per tier (default ${DEFAULT-VALUE}; the cold-start comparison runs at least 7).")
    int rounds;

    @Option(names = "--reps", defaultValue = "3", description = "Repetitions per invocation, as llama-bench's -r (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--prompt-tokens", defaultValue = "512", description = "Tokens of the prompt test, llama-bench's -p (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "128", description = "Tokens of the generation test, llama-bench's -n (default ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--backend", description = "Source build to compare with: cpu-native, cuda, rocm, metal, vulkan (default: from the hardware).")
    String backend;

    @Option(names = "--build-check", paramLabel = "BACKEND", description = "Run only the CMake configure step for a backend (e.g. cuda) "
            + "into a temporary folder and record whether it succeeds; compiles nothing. Alone, or with tiers (--tier).")
    String buildCheck;

    @Option(names = "--gpu-bandwidth", paramLabel = "GBPS", description = "GPU memory bandwidth in GB/s for the GPU roofline "
            + "(default: the datasheet figure of known GPUs).")
    Double gpuBandwidth;

    @Option(names = "--smoke", description = "Mark the report as a smoke run (proves the harness; the numbers are not a measurement).")
    boolean smoke;

    @Option(names = "--out", defaultValue = "bench-results", description = "Folder for report.json, report.md and the charts (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || reps < 1 || promptTokens < 1 || genTokens < 1) {
            throw new Main.UsageError("--rounds, --reps, --prompt-tokens and --gen-tokens must be >= 1");
        }
        int t = threads != null ? threads : CpuTopology.physicalCores();
        if (t < 1) {
            throw new Main.UsageError("--threads must be >= 1");
        }
        if (streams.isEmpty() || streams.stream().anyMatch(s -> s < 1)) {
            throw new Main.UsageError("--streams takes numbers >= 1, e.g. 1,4,8,16");
        }
        List<BenchTier> tiers;
        boolean tierGiven = spec.commandLine().getParseResult().hasMatchedOption("--tier");
        try {
            tiers = buildCheck != null && !tierGiven ? List.of() : BenchTier.parseList(tier);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--tier: " + e.getMessage());
        }
        Optional<SourceBuild.Backend> be = parseBackend(backend, "--backend");
        Optional<SourceBuild.Backend> check = parseBackend(buildCheck, "--build-check");
        if (gpuBandwidth != null && !(gpuBandwidth > 0)) {
            throw new Main.UsageError("--gpu-bandwidth must be > 0 GB/s");
        }
        if (t > CpuTopology.physicalCores()) {
            System.err.println("[bench] warning: --threads " + t + " is more than the " + CpuTopology.physicalCores()
                    + " physical cores; ggml's spinning threads then slow each other down");
        }
        Progress progress = line -> System.err.println("[bench] " + line);
        BenchRunner.Options options = new BenchRunner.Options(tiers, compareNative, serving, t, rounds, reps, promptTokens, genTokens, be,
                check, gpuBandwidth == null ? OptionalDouble.empty() : OptionalDouble.of(gpuBandwidth), smoke, streams, promptMix(), out, commandLine());
        BenchReport report = new BenchRunner(options, progress).run();
        if (!tiers.isEmpty()) {
            System.out.print(TextTable.render(report, promptTokens, genTokens));
        }
        report.buildCheck().ifPresent(b -> System.out.println("build check " + b.backend() + ": " + (b.ok() ? "configure succeeded" : "configure FAILED")));
        List<Path> files = ReportWriter.write(report, promptTokens, genTokens, out);
        for (Path f : files) {
            System.err.println("[bench] wrote " + f);
        }
        return report.buildCheck().map(b -> b.ok() ? 0 : 1).orElse(0);
    }

    private ServingBench.PromptMix promptMix() {
        return switch (servingPrompts.toLowerCase(java.util.Locale.ROOT)) {
            case "shared" -> ServingBench.PromptMix.SHARED;
            case "distinct" -> ServingBench.PromptMix.DISTINCT;
            default -> throw new Main.UsageError("--serving-prompts takes shared or distinct, got " + servingPrompts);
        };
    }

    private static Optional<SourceBuild.Backend> parseBackend(String s, String option) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(SourceBuild.Backend.parse(s));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(option + ": " + e.getMessage());
        }
    }

    private String commandLine() {
        List<String> args = new ArrayList<>(List.of("infernet"));
        args.addAll(spec.commandLine().getParseResult().originalArgs());
        return String.join(" ", args.stream().map(a -> a.contains(" ") ? "'" + a + "'" : a).toList());
    }
}
