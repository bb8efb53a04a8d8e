package io.infernet.bench;

import io.infernet.bench.compare.Figures;
import io.infernet.bench.compare.Round;
import io.infernet.bench.compare.TierRun;
import io.infernet.bench.compare.Variant;
import io.infernet.bench.inproc.ProbeResult;
import io.infernet.bench.report.BenchReport;
import io.infernet.bench.report.BuildCheckResult;
import io.infernet.bench.report.MachineInfo;
import io.infernet.bench.roofline.Bandwidth;
import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.serving.ServingLevel;
import io.infernet.bench.serving.ServingReport;
import io.infernet.bench.serving.ServingServer;
import io.infernet.bench.tier.BenchTier;
import io.infernet.bench.tier.ModelFacts;
import io.infernet.bench.tier.Placement;
import io.infernet.bench.tier.TierDecision;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Hand-made reports with exact numbers, for the rendering tests. */
public final class TestReports {
    private TestReports() {}

    public static final ModelFacts DEMO = new ModelFacts("demo", 62_000_000, 58_000_000, 17_000_000, 544, 16_384);
    public static final ModelFacts B7 = new ModelFacts("7b", 3_800_000_000L, 6_700_000_000L, 73_728_000, 2304, 524_288);

    public static final List<Variant> VARIANTS = List.of(
            new Variant(Variant.NATIVE, "llama-bench (cpu-native build)", true, Optional.empty()),
            new Variant(Variant.SAME_BUILD, "ours on the same build", false, Optional.of(Path.of("/b/bin"))),
            new Variant(Variant.NPM, "ours on the npm prebuilt libraries", false, Optional.of(Path.of("/npm"))));

    /** A probe whose means are exactly the given numbers (two equal repetitions). */
    public static ProbeResult probe(String libs, double pp, double decode, double loop, double ttft) {
        return new ProbeResult(libs, "/libs", "0.5.0-dev", "CPU : AVX2 = 1", "llama ?B Q8_0", 62_146_560, 2, 0, 512, 128,
                List.of(pp, pp), List.of(decode, decode), List.of(loop, loop), List.of(128, 128), List.of(ttft, ttft));
    }

    /** Two rounds: llama-bench pp 1000/1100, tg 200/220; ours same build pp 900/1100, decode 190/220, loop 180/198. */
    public static List<Round> rounds() {
        return List.of(
                new Round(0, List.of(Variant.NATIVE, Variant.SAME_BUILD, Variant.NPM), OptionalDouble.of(1000), OptionalDouble.of(200),
                        Map.of(Variant.SAME_BUILD, probe("source build", 900, 190, 180, 120), Variant.NPM, probe("npm", 800, 160, 150, 130)),
                        OptionalDouble.of(0.25)),
                new Round(1, List.of(Variant.NPM, Variant.SAME_BUILD, Variant.NATIVE), OptionalDouble.of(1100), OptionalDouble.of(220),
                        Map.of(Variant.SAME_BUILD, probe("source build", 1100, 220, 198, 100), Variant.NPM, probe("npm", 880, 176, 165, 110)),
                        OptionalDouble.empty()));
    }

    public static BenchReport report() {
        Bandwidth bw = new Bandwidth(40.0, 45.0, 256L << 20, 2, "Java STREAM-like, test");
        Optional<Roofline> roofline = Optional.of(Roofline.of(bw, DEMO, 128));
        TierDecision demo = new TierDecision(BenchTier.DEMO, DEMO, Optional.of(Placement.CPU), 300_000_000, "demo fits the RAM");
        TierRun ran = new TierRun(demo, Optional.of("/models/demo.gguf"), 2, 2, Optional.of("llama-bench -m /models/demo.gguf -p 512 -n 128"),
                VARIANTS, rounds(), Figures.of(rounds(), VARIANTS, 512, 128, roofline), roofline, List.of("a note about demo"));
        TierRun skipped = TierRun.skipped(new TierDecision(BenchTier.GB8, B7, Optional.empty(), 4_300_000_000L,
                "7b needs a GPU with >= 8 GB; none detected"));
        MachineInfo machine = new MachineInfo("AMD EPYC", 2, 2, 25_000_000_000L, 24_000_000_000L, List.of(), "Linux 6.1 amd64",
                "Temurin 25", "node-llama-cpp-3.22.1 (llama.cpp v0.5.0)", 0.4);
        ServingReport serving = new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(
                new ServingServer("llama-server", "llama.cpp llama-server", "llama-server -m x", List.of(
                        new ServingLevel(1, 4, 0, 512, 2.0, 256, 50, 60, 70),
                        new ServingLevel(4, 16, 0, 2048, 4.0, 512, 80, 95, 99)), Optional.empty()),
                new ServingServer("infernet", "infernet serve (ours)", "java ... serve", List.of(), Optional.of("exited with code 2"))),
                List.of("servers run one after the other"));
        BuildCheckResult check = new BuildCheckResult("cuda", true, 21.5, "cmake -S src -B $TMP/build -DGGML_CUDA=ON",
                List.of("The CUDA compiler identification is NVIDIA 13.0.88", "Configuring done"), List.of());
        return new BenchReport(true, Instant.parse("2026-11-23T12:00:00Z"), "infernet bench --tier demo,8gb --compare-native --smoke",
                machine, Optional.empty(), Optional.of(bw), Optional.empty(), List.of(ran, skipped), Optional.of(serving), Optional.of(check),
                List.of("threads: 2 for both sides"));
    }
}
