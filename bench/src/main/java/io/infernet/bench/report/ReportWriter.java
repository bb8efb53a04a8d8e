package io.infernet.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a report's files into a folder: {@code report.json}, {@code report.md} and the PNG charts. */
public final class ReportWriter {
    private ReportWriter() {}

    public static final String JSON = "report.json";
    public static final String MARKDOWN = "report.md";

    /** Writes everything; returns the files written. */
    public static List<Path> write(BenchReport r, int pp, int tg, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        Path json = dir.resolve(JSON);
        Files.writeString(json, ReportJson.write(r) + "\n", StandardCharsets.UTF_8);
        out.add(json);
        Path md = dir.resolve(MARKDOWN);
        Files.writeString(md, MarkdownReport.render(r, pp, tg), StandardCharsets.UTF_8);
        out.add(md);
        Path throughput = dir.resolve(MarkdownReport.THROUGHPUT_PNG);
        if (Charts.throughput(r.tiers(), pp, tg, throughput)) {
            out.add(throughput);
        }
        Path roofline = dir.resolve(MarkdownReport.ROOFLINE_PNG);
        if (Charts.roofline(r.tiers(), tg, roofline)) {
            out.add(roofline);
        }
        return out;
    }
}
