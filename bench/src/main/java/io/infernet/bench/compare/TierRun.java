package io.infernet.bench.compare;

import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.tier.TierDecision;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tier's outcome: skipped with a reason, or measured.
 *
 * @param decision          whether and where it ran, and why
 * @param modelFile         the GGUF measured; empty when skipped
 * @param threads           CPU threads
 * @param reps              timed repetitions per invocation
 * @param llamaBenchCommand the exact llama-bench command line, when it ran
 * @param variants          the sides compared, in the order of the first round
 * @param rounds            raw results per round
 * @param figures           the summarized numbers
 * @param roofline          the generation roofline, when a bandwidth is known
 * @param notes             what a reader must know (variants skipped, early end of generation, ...)
 * @param coldStart         a fresh process against llama-bench and llama-simple, when measured
 */
public record TierRun(TierDecision decision, Optional<String> modelFile, int threads, int reps, Optional<String> llamaBenchCommand,
                      List<Variant> variants, List<Round> rounds, List<Figure> figures, Optional<Roofline> roofline, List<String> notes,
                      Optional<ColdStart.Result> coldStart) {
    public TierRun {
        Objects.requireNonNull(coldStart, "coldStart");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(modelFile, "modelFile");
        Objects.requireNonNull(llamaBenchCommand, "llamaBenchCommand");
        Objects.requireNonNull(roofline, "roofline");
        variants = List.copyOf(variants);
        rounds = List.copyOf(rounds);
        figures = List.copyOf(figures);
        notes = List.copyOf(notes);
    }

    public TierRun(TierDecision decision, Optional<String> modelFile, int threads, int reps, Optional<String> llamaBenchCommand,
                   List<Variant> variants, List<Round> rounds, List<Figure> figures, Optional<Roofline> roofline, List<String> notes) {
        this(decision, modelFile, threads, reps, llamaBenchCommand, variants, rounds, figures, roofline, notes, Optional.empty());
    }

    public TierRun withColdStart(ColdStart.Result c) {
        return new TierRun(decision, modelFile, threads, reps, llamaBenchCommand, variants, rounds, figures, roofline, notes, Optional.of(c));
    }

    public static TierRun skipped(TierDecision decision) {
        return new TierRun(decision, Optional.empty(), 0, 0, Optional.empty(), List.of(), List.of(), List.of(), Optional.empty(), List.of());
    }

    public boolean ran() {
        return !rounds.isEmpty();
    }

    /** The figure of a metric and variant, if measured. */
    public Optional<Figure> figure(String metric, String variant) {
        return figures.stream().filter(f -> f.metric().equals(metric) && f.variant().equals(variant)).findFirst();
    }
}
