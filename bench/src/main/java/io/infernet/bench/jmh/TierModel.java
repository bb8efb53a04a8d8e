package io.infernet.bench.jmh;

import io.infernet.bench.tier.BenchTier;
import io.infernet.bench.tier.MachineFacts;
import io.infernet.bench.tier.ModelFacts;
import io.infernet.bench.tier.Placement;
import io.infernet.bench.tier.TierDecision;
import io.infernet.bench.tier.TierPlanner;
import io.infernet.natives.Progress;
import io.infernet.hardware.HardwareProbe;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.CpuTopology;
import io.infernet.runtime.Model;
import io.infernet.runtime.ModelParams;
import io.infernet.runtime.gguf.DemoModel;
import java.util.SplittableRandom;

/**
 * The model of a tier, loaded for a JMH trial: made on first use (synthesized, cached), placed
 * where the planner says, or refused with the planner's reason when the tier does not fit this
 * machine (JMH then reports that parameter as failed and goes on with the others).
 */
final class TierModel {
    private TierModel() {}

    /** Tokens of context the JMH benchmarks use at most (a 512-token prompt plus generated tokens). */
    static final int CONTEXT = 640;

    static Model open(String tierId) {
        BenchTier tier = BenchTier.parse(tierId);
        TierDecision d = TierPlanner.decide(tier, ModelFacts.plan(tier.preset().spec()), CONTEXT, MachineFacts.of(HardwareProbe.system().detect()));
        if (!d.runs()) {
            throw new IllegalStateException("tier " + tier.id() + " is skipped on this machine: " + d.reason());
        }
        var file = DemoModel.ensure(tier.preset().spec(), PROGRESS);
        int gpuLayers = d.placement().orElseThrow() == Placement.GPU ? -1 : 0;
        return Model.load(file, ModelParams.defaults().withGpuLayers(gpuLayers));
    }

    /** Threads from the {@code threads} parameter: 0 means the physical cores. */
    static int threads(int param) {
        return param > 0 ? param : CpuTopology.physicalCores();
    }

    static ContextParams context(int tokens, int threads) {
        int batch = Math.min(512, tokens);
        return ContextParams.defaults().withKvCells(tokens).withBatch(batch, batch).withThreads(threads, threads);
    }

    /**
     * {@code n} random token ids of {@code model}'s vocabulary (seed 1234, so every trial decodes
     * the same prompt), the first one its BOS when the vocabulary adds one.
     */
    static int[] randomPrompt(Model model, int n) {
        SplittableRandom r = new SplittableRandom(1234);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = r.nextInt(model.vocab().size());
        }
        if (model.vocab().addsBos()) {
            tokens[0] = model.vocab().bos();
        }
        return tokens;
    }

    /** The token a one-token prompt starts with: BOS when the vocabulary adds one, else token 1. */
    static int firstToken(Model model) {
        return model.vocab().addsBos() ? model.vocab().bos() : 1;
    }

    static final Progress PROGRESS = line -> System.err.println("[bench] " + line);
}
