package io.infernet.bench.report;

import io.infernet.bench.compare.Figure;
import io.infernet.bench.compare.Figures;
import io.infernet.bench.compare.TierRun;
import io.infernet.bench.compare.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The summary table printed on the terminal: one row per tier, columns aligned. */
public final class TextTable {
    private TextTable() {}

    public static String render(BenchReport r, int pp, int tg) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"tier", "model", "on", Figures.pp(pp) + " native", "ours", "ratio", Figures.tg(tg) + " native", "decode-only",
                "ratio", "our loop", "ratio", "loop/roofline", "ttft" + pp + " ms"});
        for (TierRun t : r.tiers()) {
            if (!t.ran()) {
                rows.add(new String[] {t.decision().tier().id(), t.decision().tier().modelLabel(), "skipped: " + t.decision().reason()});
                continue;
            }
            String ours = MarkdownReport.oursId(t);
            rows.add(new String[] {t.decision().tier().id(), t.decision().tier().modelLabel(), t.decision().placement().get().id(),
                    med(t.figure(Figures.pp(pp), Variant.NATIVE)), med(t.figure(Figures.pp(pp), ours)), ratio(t.figure(Figures.pp(pp), ours)),
                    med(t.figure(Figures.tg(tg), Variant.NATIVE)), med(t.figure(Figures.decodeOnly(tg), ours)),
                    ratio(t.figure(Figures.decodeOnly(tg), ours)), med(t.figure(Figures.loop(tg), ours)), ratio(t.figure(Figures.loop(tg), ours)),
                    t.figure(Figures.loop(tg), ours).flatMap(Figure::rooflineFraction).map(f -> String.format(Locale.ROOT, "%.0f%%", f * 100)).orElse("-"),
                    med(t.figure(Figures.ttft(pp), ours))});
        }
        int cols = rows.getFirst().length;
        int[] w = new int[cols];
        for (String[] row : rows) {
            if (row.length == cols) {
                for (int i = 0; i < cols; i++) {
                    w[i] = Math.max(w[i], row[i].length());
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (row.length < cols && i == row.length - 1) {
                    sb.append(row[i]);
                } else {
                    sb.append(String.format(Locale.ROOT, i < 3 ? "%-" + w[i] + "s" : "%" + w[i] + "s", row[i]));
                }
                if (i < row.length - 1) {
                    sb.append("  ");
                }
            }
            sb.append('\n');
        }
        sb.append("ratios are ours / llama-bench per interleaved round (median); values are medians over rounds\n");
        return sb.toString();
    }

    private static String med(Optional<Figure> f) {
        return f.map(x -> String.format(Locale.ROOT, "%.1f", x.perRound().median())).orElse("-");
    }

    private static String ratio(Optional<Figure> f) {
        return f.flatMap(Figure::ratioToNative).map(s -> String.format(Locale.ROOT, "%.3f", s.median())).orElse("-");
    }
}
