package io.infernet.bench.tier;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a tier runs on this machine, where, and why.
 *
 * @param tier          the tier
 * @param model         its model's facts
 * @param placement     where it runs; empty when skipped
 * @param requiredBytes what it needs: weights, KV cache and overhead, bytes
 * @param reason        for people: why it runs where it does, or why it is skipped
 */
public record TierDecision(BenchTier tier, ModelFacts model, Optional<Placement> placement, long requiredBytes, String reason) {
    public TierDecision {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean runs() {
        return placement.isPresent();
    }
}
