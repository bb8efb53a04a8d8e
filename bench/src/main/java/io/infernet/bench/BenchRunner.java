package io.infernet.bench;

import io.infernet.bench.compare.ColdStart;
import io.infernet.bench.compare.SideBySide;
import io.infernet.bench.compare.TierRun;
import io.infernet.bench.compare.Variant;
import io.infernet.bench.report.BenchReport;
import io.infernet.bench.report.BuildCheck;
import io.infernet.bench.report.BuildCheckResult;
import io.infernet.bench.report.MachineInfo;
import io.infernet.bench.roofline.Bandwidth;
import io.infernet.bench.roofline.GpuBandwidth;
import io.infernet.bench.roofline.MemoryBandwidth;
import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.serving.ChatStream;
import io.infernet.bench.serving.ServingBench;
import io.infernet.bench.serving.ServingReport;
import io.infernet.bench.tier.BenchTier;
import io.infernet.bench.tier.MachineFacts;
import io.infernet.bench.tier.ModelFacts;
import io.infernet.bench.tier.Placement;
import io.infernet.bench.tier.TierDecision;
import io.infernet.bench.tier.TierPlanner;
import io.infernet.natives.LibraryDir;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import io.infernet.hardware.GpuVendor;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.HardwareReport;
import io.infernet.runtime.gguf.DemoModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One {@code infernet bench} run: detect the machine, plan the tiers, measure the memory
 * bandwidth, run each tier's interleaved comparison, optionally the serving comparison and a
 * build check, and gather it all in a {@link BenchReport}. Writing the report is the caller's.
 */
public final class BenchRunner {

    /** Fresh processes per side in the cold-start comparison, at least (a smoke run takes its own rounds). */
    static final int COLD_START_ROUNDS = 7;

    /**
     * What to run.
     *
     * @param tiers            tiers asked for, in order
     * @param compareNative    run llama-bench from the pin's source build next to ours
     * @param serving          also the serving comparison (llama-server vs infernet serve)
     * @param threads          CPU threads for everything
     * @param rounds           interleaved rounds per tier
     * @param reps             repetitions per invocation
     * @param promptTokens     {@code -p}
     * @param genTokens        {@code -n}
     * @param backend          the source build for llama-bench and "ours on the same build"; empty: chosen from the hardware
     * @param buildCheck       a backend to configure-check
     * @param gpuBandwidthGBps GPU memory bandwidth to use for GPU rooflines instead of the datasheet table
     * @param smoke            mark the report as a smoke run
     * @param servingLevels    concurrent streams for {@code --serving}
     * @param servingPrompts   the prompts the serving load sends
     * @param outDir           where the report goes (servers' logs too)
     * @param command          the command line, for the report
     */
    public record Options(List<BenchTier> tiers, boolean compareNative, boolean serving, int threads, int rounds, int reps, int promptTokens,
                          int genTokens, Optional<SourceBuild.Backend> backend, Optional<SourceBuild.Backend> buildCheck,
                          OptionalDouble gpuBandwidthGBps, boolean smoke, List<Integer> servingLevels, ServingBench.PromptMix servingPrompts,
                          Path outDir, String command) {
        public Options {
            Objects.requireNonNull(servingPrompts, "servingPrompts");
            tiers = List.copyOf(tiers);
            servingLevels = List.copyOf(servingLevels);
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(buildCheck, "buildCheck");
            Objects.requireNonNull(gpuBandwidthGBps, "gpuBandwidthGBps");
            Objects.requireNonNull(outDir, "outDir");
            if (threads < 1 || rounds < 1 || reps < 1 || promptTokens < 1 || genTokens < 1) {
                throw new IllegalArgumentException("threads, rounds, reps and token counts must be >= 1");
            }
        }
    }

    private final Options o;
    private final Progress progress;

    public BenchRunner(Options options, Progress progress) {
        this.o = options;
        this.progress = progress;
    }

    public BenchReport run() {
        Instant started = Instant.now();
        HardwareReport hw = HardwareProbe.system().detect();
        MachineInfo machine = MachineInfo.of(hw);
        MachineFacts facts = MachineFacts.of(hw);
        Optional<String> loadWarning = MachineInfo.loadWarning(machine.loadAvg1m(), machine.physicalCores());
        loadWarning.ifPresent(w -> progress.step("WARNING: " + w));
        List<String> notes = new ArrayList<>();

        Optional<BuildCheckResult> buildCheck = o.buildCheck().map(b -> BuildCheck.configure(b, buildCheckFlags(b, facts), progress));
        buildCheck.ifPresent(b -> progress.step("build check " + b.backend() + ": " + (b.ok() ? "configure succeeded" : "configure FAILED")
                + String.format(java.util.Locale.ROOT, " in %.1f s", b.seconds())));

        List<TierDecision> decisions = new ArrayList<>();
        for (BenchTier t : o.tiers()) {
            TierDecision d = TierPlanner.decide(t, ModelFacts.plan(t.preset().spec()), o.promptTokens() + o.genTokens(), facts);
            progress.step("tier " + t.id() + ": " + (d.runs() ? "runs on " + d.placement().get().id() : "skipped") + " (" + d.reason() + ")");
            decisions.add(d);
        }
        Optional<Bandwidth> cpuBw = Optional.empty();
        if (decisions.stream().anyMatch(d -> d.placement().orElse(null) == Placement.CPU)) {
            progress.step("measuring memory bandwidth with " + o.threads() + " threads");
            cpuBw = Optional.of(MemoryBandwidth.measure(o.threads(), MemoryBandwidth.defaultArrayBytes(facts.ramAvailableBytes()), 5));
            progress.step(String.format(java.util.Locale.ROOT, "memory bandwidth: read %.1f GB/s, triad %.1f GB/s", cpuBw.get().readGBps(),
                    cpuBw.get().triadGBps()));
        }
        Optional<Bandwidth> gpuBw = Optional.empty();
        if (decisions.stream().anyMatch(d -> d.placement().orElse(null) == Placement.GPU)) {
            gpuBw = o.gpuBandwidthGBps().isPresent()
                    ? Optional.of(new Bandwidth(o.gpuBandwidthGBps().getAsDouble(), Double.NaN, 0, 0, "given with --gpu-bandwidth"))
                    : facts.gpu().flatMap(g -> GpuBandwidth.nominal(g.description()));
            if (gpuBw.isEmpty()) {
                notes.add("no GPU bandwidth known for " + facts.gpu().map(MachineFacts.GpuPool::description).orElse("the GPU")
                        + ": GPU rooflines are left out (give one with --gpu-bandwidth GBPS)");
            }
        }

        List<TierRun> runs = new ArrayList<>();
        SideBySide sideBySide = new SideBySide(new SideBySide.Settings(o.threads(), o.rounds(), o.reps(), o.promptTokens(), o.genTokens(),
                Duration.ofMinutes(60)), progress);
        for (TierDecision d : decisions) {
            if (!d.runs()) {
                runs.add(TierRun.skipped(d));
                continue;
            }
            try {
                runs.add(runTier(d, facts, sideBySide, d.placement().get() == Placement.GPU ? gpuBw : cpuBw));
            } catch (RuntimeException e) {
                progress.step("tier " + d.tier().id() + " failed: " + e.getMessage());
                runs.add(TierRun.skipped(new TierDecision(d.tier(), d.model(), Optional.empty(), d.requiredBytes(),
                        "failed while measuring: " + firstLine(e.getMessage()))));
            }
        }

        Optional<ServingReport> serving = Optional.empty();
        if (o.serving()) {
            serving = serving(decisions, facts).map(s -> withLoop(s, runs));
        }
        notes.add("threads: " + o.threads() + " for both sides; llama-bench and our runs never overlap");
        return new BenchReport(o.smoke(), started, o.command(), machine, loadWarning, cpuBw, gpuBw, runs, serving, buildCheck, notes);
    }

    private TierRun runTier(TierDecision d, MachineFacts facts, SideBySide sideBySide, Optional<Bandwidth> bandwidth) {
        Placement placement = d.placement().orElseThrow();
        Path model = DemoModel.ensure(d.tier().preset().spec(), progress);
        List<Variant> variants = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Optional<Path> llamaBench = Optional.empty();
        if (o.compareNative()) {
            SourceBuild.Backend backend = backendFor(placement, facts);
            progress.step("llama-bench from the pin's source (" + backend.id() + "; built on first use, then cached)");
            llamaBench = Optional.of(SourceBuild.tool(backend, "llama-bench", progress));
            LibraryDir same = LibraryDir.locate(SourceBuild.buildDir(backend), "source build " + backend.id())
                    .orElseThrow(() -> new IllegalStateException("the " + backend.id() + " build has no libllama in " + SourceBuild.buildDir(backend)));
            variants.add(new Variant(Variant.NATIVE, "llama-bench (" + backend.id() + " build)", true, Optional.empty()));
            variants.add(new Variant(Variant.SAME_BUILD, "ours on the same build", false, Optional.of(same.dir())));
            if (placement == Placement.CPU) {
                LibraryDir npm = NativeBundle.cpuLibraries(progress);
                variants.add(new Variant(Variant.NPM, "ours on the npm prebuilt libraries", false, Optional.of(npm.dir())));
            } else {
                notes.add("ours on the npm prebuilt libraries is left out on the GPU: those libraries are CPU-only");
            }
        } else {
            variants.add(new Variant(Variant.DEFAULT, "ours (the runtime's default libraries)", false, Optional.empty()));
        }
        Optional<Roofline> roofline = bandwidth.map(b -> Roofline.of(b, d.model(), o.genTokens()));
        if (placement == Placement.CPU && roofline.isPresent()) {
            long llc = MemoryBandwidth.lastLevelCacheBytes().orElse(0);
            if (d.model().weightBytes() < 4 * llc) {
                notes.add(String.format(java.util.Locale.ROOT, "the model (%.0f MB) is not much larger than the last-level cache (%.0f MB): part of it "
                        + "stays in cache between tokens, so generation can exceed the DRAM roofline", d.model().weightBytes() / 1e6, llc / 1e6));
            }
        }
        TierRun run = sideBySide.run(d, model, variants, llamaBench, roofline, notes);
        if (placement == Placement.CPU) {
            Optional<Path> libs = variants.stream().filter(v -> v.id().equals(Variant.SAME_BUILD)).findFirst().flatMap(Variant::libraryDir);
            Optional<Path> simple = Optional.empty();
            if (o.compareNative()) {
                simple = Optional.of(SourceBuild.tool(backendFor(placement, facts), "llama-simple", progress));
            }
            // A fresh process's tokens/s moved by ±0.2 of llama-bench's from round to round on a shared
            // 2-core machine: five rounds gave medians of 0.75 and 0.80 where seven gave 0.92 (cold-start.md).
            int coldRounds = o.smoke() ? o.rounds() : Math.max(COLD_START_ROUNDS, o.rounds());
            ColdStart.Result c = new ColdStart(new ColdStart.Settings(o.threads(), o.genTokens(), coldRounds, Duration.ofMinutes(10)), progress)
                    .run(model, libs, llamaBench, simple);
            run = run.withColdStart(c);
        }
        return run;
    }

    /** Adds our in-process loop's tokens/s on the same build (the serving tier's run), to price the HTTP path against. */
    private ServingReport withLoop(ServingReport s, List<TierRun> runs) {
        for (TierRun r : runs) {
            if (!r.decision().tier().id().equals(s.tier())) {
                continue;
            }
            for (io.infernet.bench.compare.Figure f : r.figures()) {
                if (f.metric().equals(io.infernet.bench.compare.Figures.loop(o.genTokens()))
                        && (f.variant().equals(Variant.SAME_BUILD) || f.variant().equals(Variant.DEFAULT))) {
                    return s.withInProcessLoop(f.perRound().median());
                }
            }
        }
        return s;
    }

    private Optional<ServingReport> serving(List<TierDecision> decisions, MachineFacts facts) {
        Optional<TierDecision> first = decisions.stream().filter(TierDecision::runs).findFirst();
        if (first.isEmpty()) {
            progress.step("serving: no tier runs on this machine; skipped");
            return Optional.empty();
        }
        TierDecision d = first.get();
        Placement placement = d.placement().orElseThrow();
        Path model = DemoModel.ensure(d.tier().preset().spec(), progress);
        SourceBuild.Backend backend = backendFor(placement, facts);
        List<String> notes = new ArrayList<>();
        Optional<Path> server = Optional.empty();
        Optional<Path> libs = Optional.empty();
        Optional<Path> batched = Optional.empty();
        try {
            server = Optional.of(SourceBuild.tool(backend, "llama-server", progress));
            libs = LibraryDir.locate(SourceBuild.buildDir(backend), backend.id()).map(LibraryDir::dir);
        } catch (RuntimeException e) {
            notes.add("llama-server could not be built (" + firstLine(e.getMessage()) + "); only our server is measured");
        }
        if (server.isPresent()) {
            try {
                batched = Optional.of(SourceBuild.tool(backend, "llama-batched-bench", progress));
            } catch (RuntimeException e) {
                notes.add("llama-batched-bench could not be built (" + firstLine(e.getMessage()) + "); no ceiling is measured");
            }
        }
        // 2048 tokens per slot: room for the ~1,000-token prompts of the prefix-cache probe.
        // Serving rounds: --rounds, at most 3 (each round is one timed load per level and server).
        ServingBench.Settings s = new ServingBench.Settings(o.servingLevels(), o.genTokens(), 4, o.threads(), 2048,
                placement == Placement.GPU ? 99 : 0, Duration.ofMinutes(10), Duration.ofMinutes(10), Math.min(3, o.rounds()),
                placement != Placement.GPU, ChatStream.Sampling.clients(42), true, o.servingPrompts());
        notes.add("the load samples as chat clients do: temperature 0.8, top-p 0.95, a seed per request (the probes stay greedy); "
                + "every timed level is measured by our client and by an independent Python client");
        return Optional.of(new ServingBench(s, progress).run(d.tier().id(), model, server, batched, libs, o.outDir().resolve("logs"), notes));
    }

    /** The source build matching where a tier runs: the GPU vendor's backend, or native CPU. */
    SourceBuild.Backend backendFor(Placement placement, MachineFacts facts) {
        if (o.backend().isPresent()) {
            return o.backend().get();
        }
        if (placement == Placement.CPU || facts.gpu().isEmpty()) {
            return SourceBuild.Backend.CPU_NATIVE;
        }
        GpuVendor v = facts.gpu().get().vendor();
        return switch (v) {
            case NVIDIA -> SourceBuild.Backend.CUDA;
            case AMD -> SourceBuild.Backend.ROCM;
            case APPLE -> SourceBuild.Backend.METAL;
            default -> SourceBuild.Backend.VULKAN;
        };
    }

    /**
     * Extra flags of a configure check: with {@code GGML_NATIVE} llama.cpp asks CMake for the
     * architectures of the GPUs present, which fails without one, so a machine without a GPU
     * checks against a fixed list (Ampere, Ada, Hopper), as a build for another machine would.
     */
    static List<String> buildCheckFlags(SourceBuild.Backend backend, MachineFacts facts) {
        if (backend == SourceBuild.Backend.CUDA && facts.gpu().map(g -> g.vendor() != GpuVendor.NVIDIA).orElse(true)) {
            return List.of("-DCMAKE_CUDA_ARCHITECTURES=80;86;89;90");
        }
        return List.of();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
