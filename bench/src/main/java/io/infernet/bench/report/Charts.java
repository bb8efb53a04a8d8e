package io.infernet.bench.report;

import io.infernet.bench.compare.Figure;
import io.infernet.bench.compare.Figures;
import io.infernet.bench.compare.TierRun;
import io.infernet.bench.compare.Variant;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * PNG charts drawn with java.awt in headless mode (no extra dependency):
 * <ul>
 * <li>{@link #throughput}: tokens/s per tier, ours next to llama-bench, prompt processing and
 *     generation side by side, on a log scale (tiers differ by orders of magnitude);</li>
 * <li>{@link #roofline}: each generation figure as a fraction of the tier's bandwidth roofline.</li>
 * </ul>
 */
public final class Charts {
    private Charts() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    public static final int WIDTH = 1200;
    public static final int HEIGHT = 640;

    private static final Color[] PALETTE = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868), new Color(0xC44E52),
            new Color(0x8172B3), new Color(0x937860)};

    /** A bar: a label, a value, a colour index. */
    record Bar(String label, double value, int color) {}

    /** A group of bars under one tier. */
    record Group(String label, List<Bar> bars) {}

    /** Writes the throughput chart; returns false (and writes nothing) when no tier ran. */
    public static boolean throughput(List<TierRun> tiers, int pp, int tg, Path out) throws IOException {
        List<TierRun> ran = tiers.stream().filter(TierRun::ran).toList();
        if (ran.isEmpty()) {
            return false;
        }
        List<Group> prompt = new ArrayList<>();
        List<Group> gen = new ArrayList<>();
        List<String> legend = List.of("llama-bench", "ours, same build", "ours, npm / default", "our loop (sampler + text)");
        for (TierRun t : ran) {
            String ours = MarkdownReport.oursId(t);
            List<Bar> p = new ArrayList<>();
            add(p, t.figure(Figures.pp(pp), Variant.NATIVE), 0);
            add(p, t.figure(Figures.pp(pp), ours), 1);
            add(p, t.figure(Figures.pp(pp), Variant.NPM), 2);
            prompt.add(new Group(groupLabel(t), p));
            List<Bar> g = new ArrayList<>();
            add(g, t.figure(Figures.tg(tg), Variant.NATIVE), 0);
            add(g, t.figure(Figures.decodeOnly(tg), ours), 1);
            add(g, t.figure(Figures.decodeOnly(tg), Variant.NPM), 2);
            add(g, t.figure(Figures.loop(tg), ours), 3);
            gen.add(new Group(groupLabel(t), g));
        }
        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        title(g, "Tokens per second per tier: ours vs llama.cpp's llama-bench (log scale)");
        panel(g, 60, 70, WIDTH / 2 - 90, HEIGHT - 170, Figures.pp(pp) + " (prompt processing)", prompt, true, "t/s");
        panel(g, WIDTH / 2 + 30, 70, WIDTH / 2 - 90, HEIGHT - 170, Figures.tg(tg) + " (generation)", gen, true, "t/s");
        legend(g, legend, HEIGHT - 50);
        g.dispose();
        write(img, out);
        return true;
    }

    /** Writes the roofline chart; returns false when no tier has a roofline. */
    public static boolean roofline(List<TierRun> tiers, int tg, Path out) throws IOException {
        List<Group> groups = new ArrayList<>();
        for (TierRun t : tiers) {
            if (!t.ran() || t.roofline().isEmpty()) {
                continue;
            }
            String ours = MarkdownReport.oursId(t);
            List<Bar> b = new ArrayList<>();
            fraction(b, t.figure(Figures.tg(tg), Variant.NATIVE), 0);
            fraction(b, t.figure(Figures.decodeOnly(tg), ours), 1);
            fraction(b, t.figure(Figures.decodeOnly(tg), Variant.NPM), 2);
            fraction(b, t.figure(Figures.loop(tg), ours), 3);
            groups.add(new Group(groupLabel(t) + String.format(Locale.ROOT, " (roofline %.0f t/s)",
                    t.roofline().get().tokensPerSecond()), b));
        }
        if (groups.isEmpty()) {
            return false;
        }
        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        title(g, "Generation (" + Figures.tg(tg) + ") as a share of the memory-bandwidth roofline");
        panel(g, 80, 70, WIDTH - 140, HEIGHT - 170, "percent of bandwidth / bytes-per-token", groups, false, "%");
        legend(g, List.of("llama-bench tg", "ours decode-only, same build", "ours decode-only, npm / default", "our loop (sampler + text)"),
                HEIGHT - 50);
        g.dispose();
        write(img, out);
        return true;
    }

    /** "demo", "cpu: 1b", "8gb: 7b". */
    private static String groupLabel(TierRun t) {
        String tier = t.decision().tier().id();
        String model = t.decision().tier().preset().id();
        return tier.equals(model) ? tier : tier + ": " + model;
    }

    private static void add(List<Bar> bars, Optional<Figure> f, int color) {
        f.ifPresent(x -> bars.add(new Bar(String.format(Locale.ROOT, x.perRound().median() >= 100 ? "%.0f" : "%.1f", x.perRound().median()),
                x.perRound().median(), color)));
    }

    private static void fraction(List<Bar> bars, Optional<Figure> f, int color) {
        f.flatMap(Figure::rooflineFraction).ifPresent(v -> bars.add(new Bar(String.format(Locale.ROOT, "%.0f%%", v * 100), v * 100, color)));
    }

    private static BufferedImage canvas() {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }

    private static void title(Graphics2D g, String text) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(text, 20, 32);
    }

    /**
     * One panel of grouped bars. Log scale: decades from below the smallest value to above the
     * largest; linear: 0 to the larger of 100 and the largest value.
     */
    private static void panel(Graphics2D g, int x, int y, int w, int h, String title, List<Group> groups, boolean log, String unit) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, x, y - 8);
        double max = groups.stream().flatMap(gr -> gr.bars().stream()).mapToDouble(Bar::value).max().orElse(1);
        double min = groups.stream().flatMap(gr -> gr.bars().stream()).mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(1);
        double lo;
        double hi;
        if (log) {
            lo = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-3))));
            hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
            if (hi <= lo) {
                hi = lo * 10;
            }
        } else {
            lo = 0;
            double step = max <= 100 ? 25 : max <= 200 ? 50 : 100;
            hi = Math.max(100, Math.ceil(max / step) * step);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setStroke(new BasicStroke(1));
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = lo; v <= hi * 1.0001; v *= 10) {
                ticks.add(v);
            }
        } else {
            double step = hi <= 100 ? 25 : hi <= 200 ? 50 : 100;
            for (double v = 0; v <= hi + 1e-9; v += step) {
                ticks.add(v);
            }
        }
        for (double v : ticks) {
            int ty = yOf(v, lo, hi, log, y, h);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x, ty, x + w, ty);
            g.setColor(Color.DARK_GRAY);
            String label = (v >= 1 || v == 0 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2g", v))
                    + ("%".equals(unit) ? "%" : "");
            g.drawString(label, x - 6 - g.getFontMetrics().stringWidth(label), ty + 4);
        }
        g.setColor(Color.BLACK);
        g.drawLine(x, y + h, x + w, y + h);
        g.drawLine(x, y, x, y + h);
        int n = Math.max(1, groups.size());
        int groupW = w / n;
        for (int i = 0; i < groups.size(); i++) {
            Group gr = groups.get(i);
            int gx = x + i * groupW;
            int bars = Math.max(1, gr.bars().size());
            int barW = Math.max(4, (groupW - 24) / bars);
            for (int j = 0; j < gr.bars().size(); j++) {
                Bar b = gr.bars().get(j);
                int bx = gx + 12 + j * barW;
                int top = yOf(Math.max(b.value(), lo), lo, hi, log, y, h);
                g.setColor(PALETTE[b.color() % PALETTE.length]);
                g.fillRect(bx, top, barW - 4, y + h - top);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                int lw = g.getFontMetrics().stringWidth(b.label());
                g.drawString(b.label(), bx + (barW - 4 - lw) / 2, top - 3);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int lw = g.getFontMetrics().stringWidth(gr.label());
            g.drawString(gr.label(), gx + (groupW - lw) / 2, y + h + 18);
        }
    }

    private static int yOf(double v, double lo, double hi, boolean log, int y, int h) {
        double f = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        f = Math.max(0, Math.min(1, f));
        return (int) Math.round(y + h - f * h);
    }

    private static void legend(Graphics2D g, List<String> labels, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = 60;
        for (int i = 0; i < labels.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            g.fillRect(x, y - 11, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(labels.get(i), x + 20, y);
            x += 40 + g.getFontMetrics().stringWidth(labels.get(i));
        }
    }

    private static void write(BufferedImage img, Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", out.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }
}
