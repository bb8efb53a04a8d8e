package io.infernet.bench.tier;

import io.infernet.hardware.MemInfo;
import io.infernet.hardware.Units;
import io.infernet.hardware.fit.FitEstimator;
import io.infernet.hardware.fit.MemoryBudget;
import java.util.Optional;

/**
 * Decides which tiers run on a machine. Pure: facts in, a decision out.
 *
 * <p>A model runs where {@code weights + KV(contextTokens) + overhead} (the overhead as the node's
 * {@link FitEstimator} estimates it) fits: first the free VRAM of the GPU pool, else, for the
 * tiers that do not need a GPU ({@code demo}, {@code cpu}), the RAM a process may use
 * ({@link MemoryBudget#forRam}: available RAM, less a reserve for the OS). The GPU tiers never
 * fall back to the CPU: a 7B model decodes at a few tokens per second on a small CPU and a
 * 512-token prompt takes minutes, which measures nothing useful.
 */
public final class TierPlanner {
    private TierPlanner() {}

    public static TierDecision decide(BenchTier tier, ModelFacts model, int contextTokens, MachineFacts machine) {
        if (contextTokens < 1) {
            throw new IllegalArgumentException("contextTokens must be >= 1, got " + contextTokens);
        }
        long overhead = FitEstimator.overheadBytes(model.weightBytes());
        long required = model.requiredBytes(contextTokens, overhead);
        String needs = tier.modelLabel() + " needs " + Units.gib1(required) + " GiB (weights " + Units.gib1(model.weightBytes())
                + " + KV for " + contextTokens + " tokens " + Units.gib1(model.kvBytesPerToken() * contextTokens)
                + " + overhead " + Units.gib1(overhead) + ")";
        if (machine.gpu().isPresent()) {
            MachineFacts.GpuPool gpu = machine.gpu().get();
            String vram = (gpu.freeBytes().isPresent() ? "free VRAM" : "VRAM") + " of " + gpu.description() + " ("
                    + Units.gib1(gpu.budgetBytes()) + " GiB)";
            if (required <= gpu.budgetBytes()) {
                return new TierDecision(tier, model, Optional.of(Placement.GPU), required, needs + "; fits the " + vram);
            }
            if (tier.needsGpu()) {
                return new TierDecision(tier, model, Optional.empty(), required, needs + "; does not fit the " + vram);
            }
        } else if (tier.needsGpu()) {
            return new TierDecision(tier, model, Optional.empty(), required,
                    tier.preset().id() + " needs a GPU with >= " + tier.minVramGib() + " GB; none detected");
        }
        MemoryBudget ram = MemoryBudget.forRam(new MemInfo(machine.ramTotalBytes(), machine.ramAvailableBytes()));
        long budget = ram.freeBytes().orElse(ram.capacityBytes());
        String where = "RAM (" + Units.gib1(budget) + " GiB usable of " + Units.gib1(machine.ramTotalBytes()) + " GiB)";
        if (required <= budget) {
            String prefix = machine.gpu().isPresent() ? "does not fit the GPU; " : "";
            return new TierDecision(tier, model, Optional.of(Placement.CPU), required, prefix + needs + "; fits the " + where);
        }
        return new TierDecision(tier, model, Optional.empty(), required, needs + "; does not fit the " + where);
    }
}
