package io.infernet.bench.compare;

import io.infernet.bench.stats.Summary;
import java.util.Objects;
import java.util.Optional;

/**
 * One reported number: a metric of one variant over the rounds.
 *
 * @param metric            {@code pp512}, {@code tg128}, {@code tg128 decode-only}, {@code tg128 loop}, {@code ttft512}
 * @param unit              {@code tokens/s} or {@code ms}
 * @param variant           the variant's id
 * @param variantLabel      the variant's label
 * @param perRound          spread of the per-round values (each the mean of the round's repetitions; TTFT: the median)
 * @param ratioToNative     spread of {@code ours / llama-bench} over paired rounds; empty for llama-bench itself and without it
 * @param rooflineFraction  median as a fraction of the bandwidth roofline (generation only)
 */
public record Figure(String metric, String unit, String variant, String variantLabel, Summary perRound, Optional<Summary> ratioToNative,
                     Optional<Double> rooflineFraction) {
    public Figure {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(perRound, "perRound");
        Objects.requireNonNull(ratioToNative, "ratioToNative");
        Objects.requireNonNull(rooflineFraction, "rooflineFraction");
    }

    public boolean isGeneration() {
        return metric.startsWith("tg");
    }
}
