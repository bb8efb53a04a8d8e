package io.infernet.bench.cli;

import io.infernet.bench.tier.BenchTier;
import io.infernet.bench.tier.MachineFacts;
import io.infernet.bench.tier.ModelFacts;
import io.infernet.bench.tier.TierDecision;
import io.infernet.bench.tier.TierPlanner;
import io.infernet.node.cli.Main;
import io.infernet.hardware.HardwareProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet bench jmh}: the JMH benchmarks of the in-process runtime (prompt processing,
 * generation, time to first token, hot FFM calls) for the tiers that fit this machine. JMH forks a
 * JVM per benchmark; the result goes to {@code jmh.json}.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = "Run the JMH benchmarks (pp512, tg128 decode-only and loop, ttft512, FFM call costs) for the tiers that fit.")
public final class BenchJmhCommand implements Callable<Integer> {

    @Option(names = "--tier", defaultValue = "demo", description = "auto or a comma-separated list of tiers (default ${DEFAULT-VALUE}).")
    String tier;

    @Option(names = "--threads", defaultValue = "0", description = "Threads (0 = physical cores, the default).")
    int threads;

    @Option(names = "--include", defaultValue = "io\\.infernet\\.bench\\.jmh\\..*",
            description = "Regular expression of the benchmarks to run (default: all of them).")
    String include;

    @Option(names = "--quick", description = "One short measurement iteration each (checks that they run; not a measurement).")
    boolean quick;

    @Option(names = "--out", defaultValue = "bench-results", description = "Folder for jmh.json (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<BenchTier> tiers;
        try {
            tiers = BenchTier.parseList(tier);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("--tier: " + e.getMessage());
        }
        MachineFacts facts = MachineFacts.of(HardwareProbe.system().detect());
        List<String> run = new ArrayList<>();
        for (BenchTier t : tiers) {
            TierDecision d = TierPlanner.decide(t, ModelFacts.plan(t.preset().spec()), 640, facts);
            System.err.println("[bench] tier " + t.id() + ": " + (d.runs() ? "runs" : "skipped") + " (" + d.reason() + ")");
            if (d.runs()) {
                run.add(t.id());
            }
        }
        if (run.isEmpty()) {
            System.err.println("[bench] no tier fits this machine; nothing to run");
            return 1;
        }
        Files.createDirectories(out);
        ChainedOptionsBuilder b = new OptionsBuilder().include(include).param("tier", run.toArray(String[]::new))
                .param("threads", Integer.toString(threads)).resultFormat(ResultFormatType.JSON).result(out.resolve("jmh.json").toString());
        if (quick) {
            b = b.warmupIterations(0).measurementIterations(1).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1));
        }
        new Runner(b.build()).run();
        System.err.println("[bench] wrote " + out.resolve("jmh.json"));
        return 0;
    }
}
