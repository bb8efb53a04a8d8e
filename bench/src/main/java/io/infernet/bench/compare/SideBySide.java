package io.infernet.bench.compare;

import io.infernet.bench.inproc.ChildJvm;
import io.infernet.bench.inproc.ProbeMain;
import io.infernet.bench.inproc.ProbeResult;
import io.infernet.bench.llamabench.LlamaBenchCommand;
import io.infernet.bench.llamabench.LlamaBenchResult;
import io.infernet.bench.llamabench.LlamaBenchRunner;
import io.infernet.natives.Exec;
import io.infernet.bench.process.LoadAverage;
import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.tier.Placement;
import io.infernet.bench.tier.TierDecision;
import io.infernet.natives.Progress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Runs one tier's comparison in ONE invocation, interleaved: each round runs every variant once,
 * back to back (llama-bench, then our runtime in a child JVM per set of libraries), and the order
 * reverses every other round (ABC, CBA, ...) so a machine that speeds up or slows down during the
 * run does not favour one side. Each invocation does its own warm-up and {@code reps} repetitions,
 * as llama-bench does with {@code -r}. Plain Java, not JMH: JMH forks and cannot interleave with
 * an outside program.
 */
public final class SideBySide {

    /**
     * How to run.
     *
     * @param threads      CPU threads, the same for both sides
     * @param rounds       interleaved rounds
     * @param reps         repetitions per invocation
     * @param promptTokens {@code -p}
     * @param genTokens    {@code -n}
     * @param timeout      limit of one invocation
     */
    public record Settings(int threads, int rounds, int reps, int promptTokens, int genTokens, Duration timeout) {
        public Settings {
            if (threads < 1 || rounds < 1 || reps < 1 || promptTokens < 1 || genTokens < 1) {
                throw new IllegalArgumentException("threads, rounds, reps, prompt and generation tokens must all be >= 1");
            }
        }
    }

    private final Settings settings;
    private final Progress progress;

    public SideBySide(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * Measures a tier that runs.
     *
     * @param llamaBench the llama-bench binary, present iff {@code variants} holds a native one
     * @param notes      notes gathered while preparing (variants skipped), carried into the result
     */
    public TierRun run(TierDecision decision, Path model, List<Variant> variants, Optional<Path> llamaBench, Optional<Roofline> roofline,
                       List<String> notes) {
        Placement placement = decision.placement().orElseThrow(() -> new IllegalArgumentException("tier " + decision.tier().id() + " is skipped"));
        int gpuLayersOurs = placement == Placement.GPU ? -1 : 0;
        int gpuLayersNative = placement == Placement.GPU ? 99 : 0;
        Optional<LlamaBenchCommand> cmd = llamaBench.map(bin -> new LlamaBenchCommand(bin, model, settings.promptTokens(), settings.genTokens(),
                settings.threads(), settings.reps(), gpuLayersNative));
        List<Round> rounds = new ArrayList<>();
        List<String> allNotes = new ArrayList<>(notes);
        ModelFile.settle(model, progress);
        for (int r = 0; r < settings.rounds(); r++) {
            List<Variant> order = new ArrayList<>(variants);
            if (r % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            OptionalDouble pp = OptionalDouble.empty();
            OptionalDouble tg = OptionalDouble.empty();
            Map<String, ProbeResult> ours = new HashMap<>();
            OptionalDouble load = LoadAverage.oneMinute();
            for (Variant v : order) {
                progress.step("tier " + decision.tier().id() + ", round " + (r + 1) + "/" + settings.rounds() + ": " + v.label());
                if (v.isNative()) {
                    List<LlamaBenchResult> res = LlamaBenchRunner.run(cmd.orElseThrow(), settings.timeout());
                    pp = OptionalDouble.of(find(res, true).avgTs());
                    tg = OptionalDouble.of(find(res, false).avgTs());
                } else {
                    ProbeResult p = probe(v, model, gpuLayersOurs);
                    ours.put(v.id(), p);
                    int short_ = p.loopTokens().stream().mapToInt(Integer::intValue).min().orElse(settings.genTokens());
                    if (short_ < settings.genTokens()) {
                        allNotes.add(v.label() + ", round " + (r + 1) + ": the model ended generation after " + short_
                                + " tokens in a loop run (tokens/s is over the tokens produced)");
                    }
                }
            }
            rounds.add(new Round(r, order.stream().map(Variant::id).toList(), pp, tg, ours, load));
        }
        List<Figure> figures = Figures.of(rounds, variants, settings.promptTokens(), settings.genTokens(), roofline);
        return new TierRun(decision, Optional.of(model.toString()), settings.threads(), settings.reps(), cmd.map(LlamaBenchCommand::display),
                variants, rounds, figures, roofline, allNotes);
    }

    private ProbeResult probe(Variant v, Path model, int gpuLayers) {
        ChildJvm jvm = ChildJvm.ofCurrent(v.libraryDir(), ChildJvm.probeArgs(model, settings.threads(), settings.reps(),
                settings.promptTokens(), settings.genTokens(), gpuLayers));
        Exec.Result r = Exec.run(jvm.command(), null, Map.of(), settings.timeout(), line -> {
            if (line.startsWith("[probe] ")) {
                progress.step("  " + line.substring(8));
            }
        });
        if (r.exitCode() != 0) {
            throw new IllegalStateException("the in-process run (" + v.label() + ") failed with exit code " + r.exitCode() + ":\n" + r.tail());
        }
        return ProbeMain.parseOutput(r.stdout());
    }

    private static LlamaBenchResult find(List<LlamaBenchResult> res, boolean prompt) {
        return res.stream().filter(t -> prompt ? t.isPrompt() : t.isGeneration()).findFirst()
                .orElseThrow(() -> new IllegalStateException("llama-bench printed no " + (prompt ? "pp" : "tg") + " test"));
    }
}
