package io.infernet.bench.report;

import io.infernet.bench.compare.ColdStart;
import io.infernet.bench.compare.Figure;
import io.infernet.bench.compare.Figures;
import io.infernet.bench.compare.TierRun;
import io.infernet.bench.compare.Variant;
import io.infernet.bench.inproc.ProbeResult;
import io.infernet.bench.roofline.Bandwidth;
import io.infernet.bench.roofline.Roofline;
import io.infernet.bench.serving.BatchedDecode;
import io.infernet.bench.serving.ServingLevel;
import io.infernet.bench.serving.ServingReport;
import io.infernet.bench.serving.ServingServer;
import io.infernet.bench.stats.Summary;
import io.infernet.hardware.Units;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders a {@link BenchReport} as Markdown (the committed report next to its JSON and charts). */
public final class MarkdownReport {
    private MarkdownReport() {}

    /** File names of the charts, next to the Markdown. */
    public static final String THROUGHPUT_PNG = "tokens-per-second.png";
    public static final String ROOFLINE_PNG = "generation-vs-roofline.png";

    public static String render(BenchReport r, int promptTokens, int genTokens) {
        StringBuilder md = new StringBuilder();
        String date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(r.startedAt());
        md.append("# infernet bench: ").append(date).append("\n\n");
        if (r.smoke()) {
            md.append("> **SMOKE RUN.** This run proves the harness works end to end. It was taken with few rounds on a machine ")
                    .append("shared with other work (see the load per round): the numbers below are NOT a measurement and must not be quoted.\n\n");
        }
        r.loadWarning().ifPresent(w -> md.append("> **Warning:** ").append(w).append("\n\n"));

        machine(md, r);
        md.append("## Command\n\n```\n").append(r.command()).append("\n```\n\n");

        List<TierRun> ran = r.tiers().stream().filter(TierRun::ran).toList();
        if (!ran.isEmpty()) {
            md.append("## Summary\n\n");
            summaryTable(md, ran, promptTokens, genTokens);
            md.append('\n');
            md.append("![tokens per second per tier](").append(THROUGHPUT_PNG).append(")\n\n");
            if (ran.stream().anyMatch(t -> t.roofline().isPresent())) {
                md.append("![generation against the bandwidth roofline](").append(ROOFLINE_PNG).append(")\n\n");
            }
        }
        for (TierRun t : ran) {
            tier(md, t, promptTokens, genTokens);
        }
        List<TierRun> skipped = r.tiers().stream().filter(t -> !t.ran()).toList();
        if (!skipped.isEmpty()) {
            md.append("## Skipped tiers\n\n| Tier | Model | Why |\n|---|---|---|\n");
            for (TierRun t : skipped) {
                md.append("| ").append(t.decision().tier().id()).append(" | ").append(t.decision().tier().modelLabel()).append(" | ")
                        .append(escape(t.decision().reason())).append(" |\n");
            }
            md.append('\n');
        }
        r.serving().ifPresent(s -> serving(md, s));
        r.buildCheck().ifPresent(b -> buildCheck(md, b));
        definitions(md, promptTokens, genTokens);
        if (!r.notes().isEmpty()) {
            md.append("## Notes\n\n");
            r.notes().forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    private static void machine(StringBuilder md, BenchReport r) {
        MachineInfo m = r.machine();
        md.append("## Machine\n\n| | |\n|---|---|\n");
        row(md, "CPU", m.cpuModel() + ", " + m.physicalCores() + " cores / " + m.logicalCores() + " threads");
        row(md, "RAM", Units.gib1(m.ramTotalBytes()) + " GiB (" + Units.gib1(m.ramAvailableBytes()) + " GiB available at start)");
        row(md, "GPU", m.gpus().isEmpty() ? "none detected" : String.join("; ", m.gpus()));
        row(md, "OS", m.os());
        row(md, "JDK", m.jdk());
        row(md, "llama.cpp pin", m.llamaCppPin());
        row(md, "Load (1 min) at start", Double.isNaN(m.loadAvg1m()) ? "unknown" : String.format(Locale.ROOT, "%.2f", m.loadAvg1m()));
        r.cpuBandwidth().ifPresent(b -> row(md, "Memory bandwidth (CPU)", bandwidth(b)));
        r.gpuBandwidth().ifPresent(b -> row(md, "Memory bandwidth (GPU)", bandwidth(b)));
        md.append('\n');
    }

    private static String bandwidth(Bandwidth b) {
        String s = String.format(Locale.ROOT, "read %.1f GB/s", b.readGBps());
        if (!Double.isNaN(b.triadGBps())) {
            s += String.format(Locale.ROOT, ", triad %.1f GB/s", b.triadGBps());
        }
        return s + " (" + b.method() + ")";
    }

    /** One line per measured tier: the headline numbers. */
    static void summaryTable(StringBuilder md, List<TierRun> ran, int pp, int tg) {
        md.append("| Tier | Model | On | ").append(Figures.pp(pp)).append(" llama-bench | ").append(Figures.pp(pp)).append(" ours (same build) | ratio | ")
                .append(Figures.tg(tg)).append(" llama-bench | decode-only ours | ratio | our loop | ratio | loop, of roofline |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TierRun t : ran) {
            String ours = oursId(t);
            md.append("| ").append(t.decision().tier().id()).append(" | ").append(t.decision().tier().modelLabel()).append(" | ")
                    .append(t.decision().placement().map(p -> p.id()).orElse("")).append(" | ")
                    .append(median(t.figure(Figures.pp(pp), Variant.NATIVE), 1)).append(" | ")
                    .append(median(t.figure(Figures.pp(pp), ours), 1)).append(" | ")
                    .append(ratio(t.figure(Figures.pp(pp), ours))).append(" | ")
                    .append(median(t.figure(Figures.tg(tg), Variant.NATIVE), 1)).append(" | ")
                    .append(median(t.figure(Figures.decodeOnly(tg), ours), 1)).append(" | ")
                    .append(ratio(t.figure(Figures.decodeOnly(tg), ours))).append(" | ")
                    .append(median(t.figure(Figures.loop(tg), ours), 1)).append(" | ")
                    .append(ratio(t.figure(Figures.loop(tg), ours))).append(" | ")
                    .append(t.figure(Figures.loop(tg), ours).flatMap(Figure::rooflineFraction).map(MarkdownReport::percent).orElse("–"))
                    .append(" |\n");
        }
    }

    /** The variant the headline compares: ours on the same build when there is one, else ours as the runtime chose. */
    static String oursId(TierRun t) {
        return t.variants().stream().anyMatch(v -> v.id().equals(Variant.SAME_BUILD)) ? Variant.SAME_BUILD : Variant.DEFAULT;
    }

    private static void tier(StringBuilder md, TierRun t, int pp, int tg) {
        md.append("## Tier ").append(t.decision().tier().id()).append(": ").append(t.decision().tier().modelLabel()).append(" on ")
                .append(t.decision().placement().map(p -> p.id().toUpperCase(Locale.ROOT)).orElse("")).append("\n\n");
        md.append(t.decision().reason()).append(". ").append(t.threads()).append(" threads, ").append(t.rounds().size())
                .append(" interleaved rounds of ").append(t.reps()).append(" repetitions each.\n\n");
        t.modelFile().ifPresent(f -> md.append("Model file: `").append(f).append("`\n\n"));
        t.llamaBenchCommand().ifPresent(c -> md.append("llama-bench: `").append(c).append("`\n\n"));
        md.append("| Metric | Side | Median (min–max) over rounds | Stdev | Ours / llama-bench: median (min–max) | Of roofline |\n");
        md.append("|---|---|---:|---:|---:|---:|\n");
        for (Figure f : t.figures()) {
            int decimals = f.unit().equals("ms") ? 1 : 1;
            md.append("| ").append(f.metric()).append(" (").append(f.unit()).append(") | ").append(escape(f.variantLabel())).append(" | ")
                    .append(f.perRound().format(decimals)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", f.perRound().stdev())).append(" | ")
                    .append(f.ratioToNative().map(s -> s.format(3)).orElse("–")).append(" | ")
                    .append(f.rooflineFraction().map(MarkdownReport::percent).orElse("–")).append(" |\n");
        }
        md.append('\n');
        t.roofline().ifPresent(rf -> md.append(String.format(Locale.ROOT,
                "Roofline: %.1f GB/s / %.1f MB read per token = **%.1f tokens/s** at most for %s.%n%n",
                rf.bandwidthBytesPerSecond() / 1e9, rf.bytesPerToken() / 1e6, rf.tokensPerSecond(), Figures.tg(tg))));
        if (t.rounds().stream().anyMatch(r -> r.loadAvg1m().isPresent())) {
            md.append("Load average (1 min) at the start of each round: ").append(String.join(", ", t.rounds().stream()
                    .map(r -> r.loadAvg1m().isPresent() ? String.format(Locale.ROOT, "%.2f", r.loadAvg1m().getAsDouble()) : "?").toList()))
                    .append(".\n\n");
        }
        if (!t.rounds().isEmpty()) {
            md.append("Libraries per side:\n\n");
            for (Variant v : t.variants()) {
                if (v.isNative()) {
                    md.append("- ").append(v.label()).append('\n');
                    continue;
                }
                ProbeResult p = t.rounds().getFirst().ours().get(v.id());
                if (p != null) {
                    md.append("- ").append(v.label()).append(": ").append(p.libraries()).append(" (`").append(p.libraryDir()).append("`); ")
                            .append(p.systemInfo().isBlank() ? "" : "`" + p.systemInfo() + "`").append('\n');
                }
            }
            md.append('\n');
        }
        if (!t.notes().isEmpty()) {
            t.notes().forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        t.coldStart().ifPresent(c -> coldStart(md, c, tg));
    }

    private static void coldStart(StringBuilder md, ColdStart.Result c, int tg) {
        md.append("### A fresh process, as users meet it\n\n");
        md.append("| Side | Tokens/s: median (min–max) over rounds | First token after the process start (ms) | Whole process (ms) |\n");
        md.append("|---|---:|---:|---:|\n");
        md.append("| ours: `infernet generate` | ").append(Summary.of(c.oursTokensPerSecond()).format(1)).append(" | ")
                .append(Summary.of(c.oursFirstTokenMs()).format(0)).append(" | ").append(Summary.of(c.oursWallMs()).format(0)).append(" |\n");
        if (!c.llamaBenchTokensPerSecond().isEmpty()) {
            md.append("| llama-bench tg").append(tg).append(" (warmed up) | ").append(Summary.of(c.llamaBenchTokensPerSecond()).format(1))
                    .append(" | – | – |\n");
        }
        if (!c.llamaSimpleTokensPerSecond().isEmpty()) {
            md.append("| llama-simple (a fresh process) | ").append(Summary.of(c.llamaSimpleTokensPerSecond()).format(1)).append(" | – | ")
                    .append(Summary.of(c.llamaSimpleWallMs()).format(0)).append(" |\n");
        }
        md.append('\n');
        List<String> ratios = new ArrayList<>();
        if (!Double.isNaN(c.ratioToLlamaBench())) {
            ratios.add(String.format(Locale.ROOT, "ours / llama-bench tg%d per round, median: **%.3f**", tg, c.ratioToLlamaBench()));
        }
        if (!Double.isNaN(c.ratioToLlamaSimple())) {
            ratios.add(String.format(Locale.ROOT, "ours / llama-simple: **%.3f**", c.ratioToLlamaSimple()));
        }
        if (ratios.isEmpty()) {
            md.append("Nothing native ran beside it: llama-bench and llama-simple run with `--compare-native`.\n\n");
        } else {
            String line = String.join("; ", ratios);
            md.append(Character.toUpperCase(line.charAt(0))).append(line, 1, line.length()).append(".\n\n");
        }
        c.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        md.append('\n');
    }

    private static void serving(StringBuilder md, ServingReport s) {
        md.append("## Serving (tier ").append(s.tier()).append(")\n\n");
        md.append("Model `").append(s.model()).append("`, `max_tokens` ").append(s.maxTokens()).append(", ")
                .append(s.requestsPerStream()).append(" or more streamed chat completions per stream (at least 16 per level), streams opened at once.\n\n");
        md.append("| Server | Streams | Requests (failed) | Tokens | Aggregate tokens/s | TTFT p50 / p90 / p99 (ms) |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (ServingServer srv : s.servers()) {
            if (srv.error().isPresent()) {
                md.append("| ").append(escape(srv.label())).append(" | – | – | – | – | not measured: ").append(escape(srv.error().get())).append(" |\n");
                continue;
            }
            for (ServingLevel l : srv.levels()) {
                md.append("| ").append(escape(srv.label())).append(" | ").append(l.concurrency()).append(" | ").append(l.requests())
                        .append(" (").append(l.failed()).append(") | ").append(l.completionTokens()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f", l.aggregateTokensPerSecond())).append(" | ")
                        .append(String.format(Locale.ROOT, "%.0f / %.0f / %.0f", l.ttftP50Ms(), l.ttftP90Ms(), l.ttftP99Ms())).append(" |\n");
            }
        }
        md.append('\n');
        servingRatios(md, s);
        ceilings(md, s);
        boolean probes = s.servers().stream().anyMatch(srv -> srv.prefix().isPresent() || srv.stream().isPresent());
        if (probes) {
            md.append("| Server | Prompt tokens | TTFT cold (ms) | TTFT prefix cached (ms) | cached / cold | One stream: ms per token | tokens/s |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (ServingServer srv : s.servers()) {
                if (srv.prefix().isEmpty() && srv.stream().isEmpty()) {
                    continue;
                }
                md.append("| ").append(escape(srv.label())).append(" | ");
                srv.prefix().ifPresentOrElse(p -> md.append(p.promptTokens()).append(String.format(Locale.ROOT, " | %.1f | %.1f | %.3f | ",
                        p.coldTtftMs(), p.cachedTtftMs(), p.ratio())), () -> md.append("– | – | – | – | "));
                srv.stream().ifPresentOrElse(st -> md.append(String.format(Locale.ROOT, "%.3f | %.1f |", st.perTokenMs(), st.tokensPerSecond())),
                        () -> md.append("– | – |"));
                md.append('\n');
            }
            md.append('\n');
            overheadAgainstLoop(md, s);
        }
        overhead(md, s);
        for (ServingServer srv : s.servers()) {
            md.append("- ").append(srv.label()).append(": `").append(srv.command()).append("`\n");
        }
        s.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        md.append('\n');
    }

    /** Without an interleaved overhead probe: our one stream against the tier run's in-process loop (another process, another time). */
    private static void overheadAgainstLoop(StringBuilder md, ServingReport s) {
        boolean probed = s.servers().stream().anyMatch(srv -> !srv.overhead().isEmpty());
        if (probed) {
            return;
        }
        s.inProcessLoopTokensPerSecond().ifPresent(loop -> s.servers().stream().filter(srv -> srv.id().equals("infernet"))
                .flatMap(srv -> srv.stream().stream()).findFirst().ifPresent(st -> md.append(String.format(Locale.ROOT,
                        "HTTP streaming against our in-process loop on the same libraries: %.3f ms per token over HTTP, %.3f ms in process "
                                + "(tg loop median of the tier run): **%+.1f%%** per token.%n%n",
                        st.perTokenMs(), 1000.0 / loop, (st.perTokenMs() * loop / 1000.0 - 1) * 100))));
    }

    /** HTTP streaming against the same engine in process, interleaved, per thread setting. */
    private static void overhead(StringBuilder md, ServingReport s) {
        for (ServingServer srv : s.servers()) {
            if (srv.overhead().isEmpty()) {
                continue;
            }
            boolean theirs = srv.overhead().stream().anyMatch(p -> p.llamaServerRatios().isPresent());
            md.append("HTTP streaming overhead of ").append(escape(srv.label())).append(": one stream, greedy, the same prompt, against the same engine ")
                    .append("in process (a child JVM opened as `serve` opens it, no HTTP), trials interleaved; per token from the first token to the last.")
                    .append(theirs ? " llama-server is measured the same way, in the same rounds, against the same in-process trials (the same "
                            + "libraries): its figure is its HTTP server and its own loop together." : "").append("\n\n");
            md.append("| ggml threads | Cores left free | Tokens | Over HTTP (ms/token) | In process (ms/token) | Overhead per round: median (min–max) |")
                    .append(theirs ? " llama-server over HTTP (ms/token) | llama-server's overhead per round: median (min–max) |"
                            + " Ours / llama-server over HTTP per round: median (min–max) |\n" : "\n");
            md.append("|---:|---:|---:|---:|---:|---:|").append(theirs ? "---:|---:|---:|\n" : "\n");
            for (ServingServer.OverheadProbe p : srv.overhead()) {
                Summary r = p.ratios();
                md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.3f | %.3f | **%+.1f%%** (%+.1f%% to %+.1f%%, %d rounds) |", p.threads(), p.freeCores(),
                        p.maxTokens(), p.httpPerTokenMs(), p.enginePerTokenMs(), (r.median() - 1) * 100, (r.min() - 1) * 100,
                        (r.max() - 1) * 100, r.n()));
                if (theirs) {
                    md.append(p.llamaServerRatios().map(l -> String.format(Locale.ROOT, " %.3f | **%+.1f%%** (%+.1f%% to %+.1f%%, %d rounds) |",
                            p.llamaServerHttpPerTokenMs(), (l.median() - 1) * 100, (l.min() - 1) * 100, (l.max() - 1) * 100, l.n())).orElse(" – | – |"));
                    md.append(p.oursOverLlamaServer().map(o -> String.format(Locale.ROOT, " **%.3f** (%.3f–%.3f) |", o.median(), o.min(), o.max()))
                            .orElse(" – |"));
                }
                md.append('\n');
            }
            md.append('\n');
        }
    }

    /** Ours over llama-server per level, taken per round (both measured in the same round), when both ran: by our client, then by the independent one. */
    private static void servingRatios(StringBuilder md, ServingReport s) {
        servingRatios(md, s, ServingServer::levels, "our client (Java, a blocking socket per stream)");
        servingRatios(md, s, ServingServer::independentLevels, "the independent client (Python's standard library, a thread per stream)");
    }

    private static void servingRatios(StringBuilder md, ServingReport s, java.util.function.Function<ServingServer, List<ServingLevel>> levels,
                                      String client) {
        Optional<ServingServer> theirs = s.servers().stream().filter(v -> v.id().equals("llama-server") && v.error().isEmpty()).findFirst();
        Optional<ServingServer> ours = s.servers().stream().filter(v -> v.id().equals("infernet") && v.error().isEmpty()).findFirst();
        if (theirs.isEmpty() || ours.isEmpty() || levels.apply(ours.get()).isEmpty()) {
            return;
        }
        md.append("Measured by ").append(client).append(":\n\n");
        md.append("| Streams | Rounds | Ours / llama-server, aggregate tokens/s per round: median (min–max) | TTFT p50, ours / llama-server (median round) |\n");
        md.append("|---:|---:|---:|---:|\n");
        for (ServingLevel o : levels.apply(ours.get())) {
            levels.apply(theirs.get()).stream().filter(t -> t.concurrency() == o.concurrency()).findFirst().ifPresent(t -> {
                double[] r = perRound(o.roundTokensPerSecond(), t.roundTokensPerSecond());
                int n = r.length;
                Summary sum = Summary.of(r);
                md.append("| ").append(o.concurrency()).append(" | ").append(n).append(" | ")
                        .append(String.format(Locale.ROOT, "**%.3f** (%.3f–%.3f)", sum.median(), sum.min(), sum.max())).append(" | ")
                        .append(String.format(Locale.ROOT, "%.0f / %.0f ms", o.ttftP50Ms(), t.ttftP50Ms())).append(" |\n");
            });
        }
        md.append('\n');
    }

    /**
     * ggml's batched decode alone (llama-batched-bench) per level, run in the same rounds: each
     * server's throughput as a share of it, and it over llama-server's, which bounds the ratio any
     * server on the same libraries could reach against llama-server at that level.
     */
    private static void ceilings(StringBuilder md, ServingReport s) {
        if (s.ceilings().isEmpty()) {
            return;
        }
        Optional<ServingServer> theirs = s.servers().stream().filter(v -> v.id().equals("llama-server") && v.error().isEmpty()).findFirst();
        Optional<ServingServer> ours = s.servers().stream().filter(v -> v.id().equals("infernet") && v.error().isEmpty()).findFirst();
        md.append("The ceiling: ggml's batched decode alone (llama-batched-bench: as many sequences as streams generating at once; no server, "
                + "HTTP, sampling or prompts between answers), run in the same rounds. A server's share of it is per round; the last column is "
                + "the most a server on these libraries could reach against llama-server, by the independent client (our client in brackets).\n\n");
        md.append("| Streams | Rounds | Ceiling, tokens/s per round: median (min–max) | Ours / ceiling: independent (ours) | "
                + "llama-server / ceiling: independent (ours) | Ceiling / llama-server: independent (ours) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|\n");
        for (BatchedDecode.Level c : s.ceilings()) {
            Summary sum = Summary.of(c.roundTokensPerSecond().stream().mapToDouble(Double::doubleValue).toArray());
            md.append("| ").append(c.streams()).append(" | ").append(sum.n()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", sum.median(), sum.min(), sum.max())).append(" | ")
                    .append(share(ours, c, false)).append(" | ").append(share(theirs, c, false)).append(" | ")
                    .append(share(theirs, c, true)).append(" |\n");
        }
        md.append('\n');
    }

    /** A server's tokens/s over the ceiling's per round (or the inverse), medians by both clients: "0.912 (0.934)", "–" when not measured. */
    private static String share(Optional<ServingServer> server, BatchedDecode.Level c, boolean inverse) {
        if (server.isEmpty()) {
            return "–";
        }
        java.util.function.Function<List<ServingLevel>, String> median = levels -> levels.stream().filter(l -> l.concurrency() == c.streams())
                .findFirst().map(l -> {
                    double[] r = inverse ? perRound(c.roundTokensPerSecond(), l.roundTokensPerSecond())
                            : perRound(l.roundTokensPerSecond(), c.roundTokensPerSecond());
                    return r.length == 0 ? "–" : String.format(Locale.ROOT, "%.3f", Summary.of(r).median());
                }).orElse("–");
        String independent = median.apply(server.get().independentLevels());
        String own = median.apply(server.get().levels());
        if (independent.equals("–")) {
            return own.equals("–") ? "–" : own + " (ours only)";
        }
        return "**" + independent + "** (" + own + ")";
    }

    /** {@code a[i] / b[i]} for the rounds both have (the same round of an interleaved run). */
    private static double[] perRound(List<Double> a, List<Double> b) {
        double[] r = new double[Math.min(a.size(), b.size())];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i) / b.get(i);
        }
        return r;
    }

    private static void buildCheck(StringBuilder md, BuildCheckResult b) {
        md.append("## Build check: ").append(b.backend()).append("\n\n");
        md.append(b.ok() ? "CMake configure **succeeded**" : "CMake configure **failed**")
                .append(String.format(Locale.ROOT, " in %.1f s (configure only; no kernels compiled).%n%n", b.seconds()));
        md.append("```\n").append(b.command()).append("\n```\n\n");
        b.facts().forEach(f -> md.append("- ").append(f).append('\n'));
        if (!b.ok()) {
            md.append("\n```\n").append(String.join("\n", b.tail())).append("\n```\n");
        }
        md.append('\n');
    }

    private static void definitions(StringBuilder md, int pp, int tg) {
        md.append("## What the numbers are\n\n");
        md.append("- **").append(Figures.pp(pp)).append("**: prompt processing, tokens/s. llama-bench: its pp test. Ours: one decode of ")
                .append(pp).append(" random tokens into an empty cache, logits of the last token.\n");
        md.append("- **").append(Figures.tg(tg)).append("** (llama-bench): ").append(tg)
                .append(" single-token decodes from an empty cache after a warm-up, no sampling.\n");
        md.append("- **decode-only** (ours): the same, measured the same way, through our FFM runtime.\n");
        md.append("- **our loop** (ours): the real generation loop users get (Generator) from a one-token prompt: ").append(tg)
                .append(" decodes, greedy sampling with the Java (Vector API) sampler, end-of-generation checks and detokenization ")
                .append("of every token. It does more work than llama-bench's tg, so its ratio shows the whole cost of our loop.\n");
        md.append("- **ttft").append(pp).append("** (ours): time to first token after a ").append(pp)
                .append("-token prompt: prefill, first sample, its text.\n");
        md.append("- Warm-up: llama-bench does its own (one pp run, one single-token decode). Ours warms each test for at least 2 s ")
                .append("(the loop and TTFT: at least two runs), so the JVM's compiler threads are done before timing: on a small machine they ")
                .append("would compete with ggml's workers. The model file is flushed and read into the page cache before the first round.\n");
        md.append("- Each round runs every side once, back to back, in alternating order; a side's value per round is the mean of its ")
                .append("repetitions (as llama-bench's avg_ts). Ratios are taken per round (adjacent runs) and then summarized.\n");
        md.append("- **ours on the same build**: our runtime in a child JVM loading the very libraries llama-bench was built with ")
                .append("(source build of the pin, -march=native): the apples-to-apples ratio. **ours on npm**: the prebuilt CPU libraries ")
                .append("the node uses by default.\n");
        md.append("- **Roofline**: memory bandwidth / bytes read per generated token (all weights but the token embedding, one ")
                .append("embedding row, and the F16 KV cache of the positions so far, averaged over the run). An upper bound.\n\n");
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(escape(v)).append(" |\n");
    }

    private static String median(Optional<Figure> f, int decimals) {
        return f.map(x -> String.format(Locale.ROOT, "%." + decimals + "f", x.perRound().median())).orElse("–");
    }

    private static String ratio(Optional<Figure> f) {
        return f.flatMap(Figure::ratioToNative).map(Summary::median).map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("–");
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
