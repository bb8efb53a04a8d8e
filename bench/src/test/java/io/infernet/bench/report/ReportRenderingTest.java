package io.infernet.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.bench.TestReports;
import io.infernet.bench.serving.BatchedDecode;
import io.infernet.bench.serving.ServingLevel;
import io.infernet.bench.serving.ServingReport;
import io.infernet.bench.serving.ServingServer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportRenderingTest {

    @Test
    void markdownHasTheSmokeBannerMachineCommandAndTheTables() {
        String md = MarkdownReport.render(TestReports.report(), 512, 128);
        assertTrue(md.contains("**SMOKE RUN.**"), md);
        assertTrue(md.contains("| CPU | AMD EPYC, 2 cores / 2 threads |"), md);
        assertTrue(md.contains("| GPU | none detected |"), md);
        assertTrue(md.contains("```\ninfernet bench --tier demo,8gb --compare-native --smoke\n```"), md);
        // the summary row: llama-bench pp median 1050, ours 1000, ratio 0.950; tg 210, decode-only 205, 0.975; loop 189, 0.900
        assertTrue(md.contains("| demo | demo (Q8_0) | cpu | 1050.0 | 1000.0 | 0.950 | 210.0 | 205.0 | 0.975 | 189.0 | 0.900 |"), md);
        assertTrue(md.contains("| pp512 (tokens/s) | ours on the same build | 1000.0 (900.0–1100.0) | 141.4 | 0.950 (0.900–1.000) | – |"), md);
        assertTrue(md.contains("| 8gb | 7b (Q4_0) | 7b needs a GPU with >= 8 GB; none detected |"), md);
        assertTrue(md.contains("llama-bench: `llama-bench -m /models/demo.gguf -p 512 -n 128`"), md);
        assertTrue(md.contains("| llama.cpp llama-server | 4 | 16 (0) | 2048 | 512.0 | 80 / 95 / 99 |"), md);
        assertTrue(md.contains("| infernet serve (ours) | – | – | – | – | not measured: exited with code 2 |"), md);
        assertTrue(md.contains("CMake configure **succeeded** in 21.5 s"), md);
        assertTrue(md.contains("![tokens per second per tier](tokens-per-second.png)"), md);
        assertTrue(md.contains("- a note about demo"), md);
        assertTrue(md.contains("Load average (1 min) at the start of each round: 0.25, ?."), md);
    }

    @Test
    void servingRatiosAreTakenPerRoundAndLevelsShowTheirMedianRound() {
        ServingLevel theirs1 = ServingLevel.ofRounds(List.of(level(1, 500), level(1, 400), level(1, 450)));
        ServingLevel ours1 = ServingLevel.ofRounds(List.of(level(1, 550), level(1, 380), level(1, 500)));
        assertEquals(450, theirs1.aggregateTokensPerSecond(), "the median round");
        assertEquals(List.of(500.0, 400.0, 450.0), theirs1.roundTokensPerSecond());
        ServingReport serving = new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(
                new ServingServer("llama-server", "llama.cpp llama-server", "llama-server -m x", List.of(theirs1), Optional.empty()),
                new ServingServer("infernet", "infernet serve (ours)", "java ... serve", List.of(ours1), Optional.empty())),
                List.of());
        String md = MarkdownReport.render(withServing(serving), 512, 128);
        // Per round: 550/500 = 1.100, 380/400 = 0.950, 500/450 = 1.111; median 1.100.
        assertTrue(md.contains("| 1 | 3 | **1.100** (0.950–1.111) |"), md);
        assertTrue(md.contains("| infernet serve (ours) | 1 | 16 (0) | 2048 | 500.0 |"), md);
    }

    @Test
    void theCeilingGivesEachServersSharePerRoundAndTheMostAServerCouldReachAgainstLlamaServer() {
        ServingServer theirs = new ServingServer("llama-server", "llama.cpp llama-server", "llama-server -m x",
                List.of(rounds(8, 800, 900, 850)), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(rounds(8, 780, 880, 820)));
        ServingServer ours = new ServingServer("infernet", "infernet serve (ours)", "java ... serve",
                List.of(rounds(8, 900, 990, 935)), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(rounds(8, 880, 1000, 900)));
        BatchedDecode.Level ceiling = new BatchedDecode.Level(8, 32, 128, List.of(1000.0, 1100.0, 1000.0), "llama-batched-bench -npl 8");
        ServingReport serving = new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(theirs, ours), List.of()).withCeilings(List.of(ceiling));
        String md = MarkdownReport.render(withServing(serving), 512, 128);
        // ours / ceiling per round: Python 0.880, 0.909, 0.900 -> 0.900; ours 0.900, 0.900, 0.935 -> 0.900
        // llama-server / ceiling: Python 0.780, 0.800, 0.820 -> 0.800; ours 0.800, 0.818, 0.850 -> 0.818
        // ceiling / llama-server: Python 1.282, 1.250, 1.220 -> 1.250; ours 1.250, 1.222, 1.176 -> 1.222
        assertTrue(md.contains("| 8 | 3 | 1000.0 (1000.0–1100.0) | **0.900** (0.900) | **0.800** (0.818) | **1.250** (1.222) |"), md);

        String without = MarkdownReport.render(withServing(new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(theirs, ours), List.of())), 512, 128);
        assertFalse(without.contains("The ceiling"), "no ceiling section when llama-batched-bench did not run");
    }

    /** One level's rounds in the order run. */
    private static ServingLevel rounds(int streams, double... tokensPerSecond) {
        return ServingLevel.ofRounds(java.util.Arrays.stream(tokensPerSecond).mapToObj(t -> level(streams, t)).toList());
    }

    @Test
    void theOverheadTableGivesEachThreadSettingItsMedianRoundAndRange() {
        ServingServer.OverheadProbe both = new ServingServer.OverheadProbe(2, 0, 128, 1.8, 1.5, List.of(1.2, 1.1, 1.3));
        ServingServer.OverheadProbe free = new ServingServer.OverheadProbe(1, 1, 128, 1.98, 1.96, List.of(1.01, 0.99, 1.02, 1.00));
        ServingServer ours = new ServingServer("infernet", "infernet serve (ours)", "java ... serve", List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(both, free));
        ServingReport serving = new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(ours), List.of());
        String md = MarkdownReport.render(withServing(serving), 512, 128);
        assertTrue(md.contains("| 2 | 0 | 128 | 1.800 | 1.500 | **+20.0%** (+10.0% to +30.0%, 3 rounds) |"), md);
        // four rounds: the median is the mean of the middle two, (1.00 + 1.01) / 2
        assertTrue(md.contains("| 1 | 1 | 128 | 1.980 | 1.960 | **+0.5%** (-1.0% to +2.0%, 4 rounds) |"), md);
        assertFalse(md.contains("tg loop median of the tier run"), "the interleaved probe replaces the cross-run comparison");
    }

    @Test
    void llamaServersOverheadSitsBesideOursAgainstTheSameInProcessTrials() {
        ServingServer.OverheadProbe both = new ServingServer.OverheadProbe(2, 0, 128, 1.8, 1.5, List.of(1.2, 1.1, 1.3), 2.1, List.of(1.4, 1.5, 1.3));
        ServingServer ours = new ServingServer("infernet", "infernet serve (ours)", "java ... serve", List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), List.of(both));
        String md = MarkdownReport.render(withServing(new ServingReport("demo", "/models/demo.gguf", 128, 4, List.of(ours), List.of())), 512, 128);
        // ours / llama-server per round: 1.2/1.4 = 0.857, 1.1/1.5 = 0.733, 1.3/1.3 = 1.000; median 0.857
        assertTrue(md.contains("| 2 | 0 | 128 | 1.800 | 1.500 | **+20.0%** (+10.0% to +30.0%, 3 rounds) | 2.100 | **+40.0%** (+30.0% to +50.0%, 3 rounds) |"
                + " **0.857** (0.733–1.000) |"), md);
        assertTrue(md.contains("llama-server over HTTP (ms/token)"), md);
    }

    @Test
    void aColdStartWithoutNativeSidesSaysSoInsteadOfNaN() {
        BenchReport base = TestReports.report();
        io.infernet.bench.compare.ColdStart.Result alone = new io.infernet.bench.compare.ColdStart.Result(List.of(400.0, 440.0, 420.0),
                List.of(1500.0, 1600.0, 1550.0), List.of(2400.0, 2500.0, 2450.0), List.of(), List.of(), List.of(), List.of("ours: a fresh process"));
        String md = MarkdownReport.render(withColdStart(base, alone), 512, 128);
        assertTrue(md.contains("| ours: `infernet generate` | 420.0 (400.0–440.0) | 1550 (1500–1600) | 2450 (2400–2500) |"), md);
        assertTrue(md.contains("Nothing native ran beside it: llama-bench and llama-simple run with `--compare-native`."), md);
        assertFalse(md.contains("NaN"), md);

        io.infernet.bench.compare.ColdStart.Result both = new io.infernet.bench.compare.ColdStart.Result(List.of(400.0, 440.0, 420.0),
                List.of(1500.0, 1600.0, 1550.0), List.of(2400.0, 2500.0, 2450.0), List.of(500.0, 400.0, 420.0), List.of(160.0, 160.0, 160.0),
                List.of(800.0, 800.0, 800.0), List.of());
        // per round 0.8, 1.1, 1.0: median 1.0; against llama-simple 2.5, 2.75, 2.625: median 2.625
        String md2 = MarkdownReport.render(withColdStart(base, both), 512, 128);
        assertTrue(md2.contains("Ours / llama-bench tg128 per round, median: **1.000**; ours / llama-simple: **2.625**."), md2);
    }

    private static BenchReport withColdStart(BenchReport base, io.infernet.bench.compare.ColdStart.Result c) {
        List<io.infernet.bench.compare.TierRun> tiers = base.tiers().stream().map(t -> t.modelFile().isPresent() ? t.withColdStart(c) : t).toList();
        return new BenchReport(base.smoke(), base.startedAt(), base.command(), base.machine(), base.loadWarning(),
                base.cpuBandwidth(), base.gpuBandwidth(), tiers, base.serving(), base.buildCheck(), base.notes());
    }

    /** The test report with {@code serving} as its serving section. */
    private static BenchReport withServing(ServingReport serving) {
        BenchReport base = TestReports.report();
        return new BenchReport(base.smoke(), base.startedAt(), base.command(), base.machine(), base.loadWarning(),
                base.cpuBandwidth(), base.gpuBandwidth(), base.tiers(), Optional.of(serving), base.buildCheck(), base.notes());
    }

    private static ServingLevel level(int streams, double tokensPerSecond) {
        return new ServingLevel(streams, 16, 0, 2048, 2048 / tokensPerSecond, tokensPerSecond, 10, 20, 30);
    }

    @Test
    void theRooflineLineIsBandwidthOverBytesPerToken() {
        String md = MarkdownReport.render(TestReports.report(), 512, 128);
        // 62,000,000 - 17,000,000 + 544 + 16,384 * 64.5 = 46,057,312 bytes; 40 GB/s / that = 868.5 tokens/s
        assertTrue(md.contains("Roofline: 40.0 GB/s / 46.1 MB read per token = **868.5 tokens/s** at most for tg128."), md);
    }

    @Test
    void jsonCarriesEverythingWithNullsForAbsentValues() throws Exception {
        JsonNode j = new ObjectMapper().readTree(ReportJson.write(TestReports.report()));
        assertTrue(j.get("smoke").asBoolean());
        assertEquals("2026-11-23T12:00:00Z", j.get("started_at").asText());
        assertTrue(j.get("load_warning").isNull());
        assertTrue(j.get("gpu_bandwidth").isNull());
        assertEquals(40.0, j.get("cpu_bandwidth").get("read_gbps").asDouble());
        JsonNode demo = j.get("tiers").get(0);
        assertEquals("cpu", demo.get("decision").get("placement").asText().toLowerCase(java.util.Locale.ROOT));
        assertEquals(2, demo.get("rounds").size());
        assertEquals(1000.0, demo.get("rounds").get(0).get("native_pp").asDouble());
        JsonNode fig = demo.get("figures").get(2);
        assertEquals("pp512", fig.get("metric").asText());
        assertEquals(0.95, fig.get("ratio_to_native").get("median").asDouble(), 1e-12);
        JsonNode skipped = j.get("tiers").get(1);
        assertTrue(skipped.get("model_file").isNull());
        assertEquals("7b needs a GPU with >= 8 GB; none detected", skipped.get("decision").get("reason").asText());
        assertTrue(j.get("machine").get("gpus").isEmpty());
        assertTrue(j.get("build_check").get("ok").asBoolean());
    }

    @Test
    void chartsArePngsOfTheExpectedSize(@TempDir Path dir) throws Exception {
        List<Path> files = ReportWriter.write(TestReports.report(), 512, 128, dir);
        assertEquals(List.of(dir.resolve("report.json"), dir.resolve("report.md"), dir.resolve("tokens-per-second.png"),
                dir.resolve("generation-vs-roofline.png")), files);
        for (String png : List.of("tokens-per-second.png", "generation-vs-roofline.png")) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve(png)), 8);
            assertTrue(java.util.Arrays.equals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head), png + " has a PNG signature");
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertEquals(Charts.WIDTH, img.getWidth());
            assertEquals(Charts.HEIGHT, img.getHeight());
            assertTrue(hasColour(img), png + " has coloured bars");
        }
    }

    @Test
    void noChartWithoutMeasuredTiers(@TempDir Path dir) throws Exception {
        var r = TestReports.report();
        var onlySkipped = new BenchReport(false, r.startedAt(), r.command(), r.machine(), Optional.of("busy"), Optional.empty(), Optional.empty(),
                List.of(r.tiers().get(1)), Optional.empty(), Optional.empty(), List.of());
        List<Path> files = ReportWriter.write(onlySkipped, 512, 128, dir);
        assertEquals(2, files.size());
        String md = Files.readString(dir.resolve("report.md"));
        assertFalse(md.contains(".png"), md);
        assertFalse(md.contains("SMOKE"), md);
        assertTrue(md.contains("> **Warning:** busy"), md);
    }

    @Test
    void theTerminalTableHasARowPerTier() {
        String t = TextTable.render(TestReports.report(), 512, 128);
        List<String> lines = t.lines().toList();
        assertTrue(lines.get(0).startsWith("tier"), t);
        assertTrue(lines.get(1).matches("demo\\s+demo \\(Q8_0\\)\\s+cpu\\s+1050\\.0\\s+1000\\.0\\s+0\\.950\\s+210\\.0\\s+205\\.0\\s+0\\.975\\s+189\\.0\\s+0\\.900\\s+\\d+%\\s+110\\.0"), t);
        assertTrue(lines.get(2).contains("skipped: 7b needs a GPU with >= 8 GB; none detected"), t);
    }

    @Test
    void aBusyMachineIsWarnedAbout() {
        assertTrue(MachineInfo.loadWarning(1.4, 2).isEmpty());
        assertTrue(MachineInfo.loadWarning(1.5, 2).isEmpty());
        assertTrue(MachineInfo.loadWarning(1.51, 2).orElseThrow().contains("1.51 on 2 cores"));
        assertTrue(MachineInfo.loadWarning(Double.NaN, 2).isEmpty());
        assertTrue(MachineInfo.loadWarning(15.6, 16).isPresent());
    }

    private static boolean hasColour(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0x4C72B0) {
                    return true;
                }
            }
        }
        return false;
    }
}
