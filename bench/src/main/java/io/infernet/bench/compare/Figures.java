package io.infernet.bench.compare;

import io.infernet.bench.inproc.ProbeResult;
import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.stats.Summary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Turns rounds into figures. Pure. Metric names, for {@code -p P -n N}:
 * <ul>
 * <li>{@code ppP} (tokens/s): llama-bench's pp; ours: one P-token decode.</li>
 * <li>{@code tgN} (tokens/s): llama-bench's tg: N single-token decodes, no sampling.</li>
 * <li>{@code tgN decode-only} (tokens/s): ours, measured exactly like llama-bench's tg.</li>
 * <li>{@code tgN loop} (tokens/s): ours, the real generation loop with the Java sampler (greedy) and
 *     detokenization: what users get. Compared with llama-bench's tg, which does less work.</li>
 * <li>{@code ttftP} (ms): ours, time to first token after a P-token prompt.</li>
 * </ul>
 */
public final class Figures {
    private Figures() {}

    public static String pp(int p) {
        return "pp" + p;
    }

    public static String tg(int n) {
        return "tg" + n;
    }

    public static String decodeOnly(int n) {
        return "tg" + n + " decode-only";
    }

    public static String loop(int n) {
        return "tg" + n + " loop";
    }

    public static String ttft(int p) {
        return "ttft" + p;
    }

    public static List<Figure> of(List<Round> rounds, List<Variant> variants, int pp, int tg, Optional<Roofline> roofline) {
        List<Figure> out = new ArrayList<>();
        if (rounds.isEmpty()) {
            return out;
        }
        Optional<Variant> nat = variants.stream().filter(Variant::isNative).findFirst();
        double[] natPp = null;
        double[] natTg = null;
        if (nat.isPresent()) {
            natPp = rounds.stream().mapToDouble(r -> r.nativePp().orElseThrow()).toArray();
            natTg = rounds.stream().mapToDouble(r -> r.nativeTg().orElseThrow()).toArray();
            out.add(new Figure(pp(pp), "tokens/s", nat.get().id(), nat.get().label(), Summary.of(natPp), Optional.empty(), Optional.empty()));
            out.add(new Figure(tg(tg), "tokens/s", nat.get().id(), nat.get().label(), Summary.of(natTg), Optional.empty(),
                    fraction(roofline, Summary.of(natTg))));
        }
        for (Variant v : variants) {
            if (v.isNative()) {
                continue;
            }
            double[] p = per(rounds, v, ProbeResult::promptMean);
            double[] d = per(rounds, v, ProbeResult::decodeMean);
            double[] l = per(rounds, v, ProbeResult::loopMean);
            double[] t = per(rounds, v, ProbeResult::ttftMedian);
            out.add(new Figure(pp(pp), "tokens/s", v.id(), v.label(), Summary.of(p), ratio(p, natPp), Optional.empty()));
            out.add(new Figure(decodeOnly(tg), "tokens/s", v.id(), v.label(), Summary.of(d), ratio(d, natTg), fraction(roofline, Summary.of(d))));
            out.add(new Figure(loop(tg), "tokens/s", v.id(), v.label(), Summary.of(l), ratio(l, natTg), fraction(roofline, Summary.of(l))));
            out.add(new Figure(ttft(pp), "ms", v.id(), v.label(), Summary.of(t), Optional.empty(), Optional.empty()));
        }
        return out;
    }

    private static double[] per(List<Round> rounds, Variant v, ToDoubleFunction<ProbeResult> f) {
        double[] out = new double[rounds.size()];
        for (int i = 0; i < out.length; i++) {
            ProbeResult r = rounds.get(i).ours().get(v.id());
            if (r == null) {
                throw new IllegalArgumentException("round " + i + " has no result for " + v.id());
            }
            out[i] = f.applyAsDouble(r);
        }
        return out;
    }

    private static Optional<Summary> ratio(double[] ours, double[] nat) {
        return nat == null ? Optional.empty() : Optional.of(Summary.ratios(ours, nat));
    }

    private static Optional<Double> fraction(Optional<Roofline> roofline, Summary s) {
        return roofline.map(r -> r.fraction(s.median()));
    }
}
