package io.infernet.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's figures as Markdown, and which of its floors were not met. The machine is
 * described as it was (cores, CPU, RAM, load average before and after), since a shared machine
 * changes the timings but not the counts the floors are about.
 */
record SoakReport(String soakArgs, String serveArgs, Soak.Settings settings, List<Soak.Snapshot> snapshots, List<Soak.Round> rounds,
                  double loadBefore, double loadAfter, Duration took, List<String> loudLogLines) {

    /** Threads and descriptors may differ from the baseline by this much (the soak's own pooled connection, a timer thread). */
    static final int TOLERANCE = 2;

    /** Log lines at WARNING or worse, or with a stack trace, in the server's log. */
    static List<String> loudLines(String log) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            boolean loud = line.startsWith("WARNING:") || line.startsWith("SEVERE:") || line.startsWith("\tat ");
            if (loud && !line.equals("WARNING: Using incubator modules: jdk.incubator.vector")) {
                out.add(line);
            }
        }
        return out;
    }

    List<String> failedFloors() {
        List<String> f = new ArrayList<>();
        Soak.Snapshot base = snapshots.getFirst();
        for (Soak.Round r : rounds) {
            if (!r.failures().isEmpty()) {
                f.add("round " + r.index() + ": " + r.failures().size() + " streams that did not drop failed: " + r.failures().subList(0,
                        Math.min(3, r.failures().size())));
            }
            Soak.Snapshot a = r.after();
            if (a.activeSequences() != 0 || a.activeCells() != 0 || a.queueDepth() != 0) {
                f.add("round " + r.index() + ": not back to idle: " + a);
            }
            if (a.process().threads() > base.process().threads() + TOLERANCE) {
                f.add("round " + r.index() + ": threads " + a.process().threads() + " against " + base.process().threads() + " at baseline");
            }
            if (a.process().fds() > base.process().fds() + TOLERANCE) {
                f.add("round " + r.index() + ": file descriptors " + a.process().fds() + " against " + base.process().fds() + " at baseline");
            }
        }
        if (rounds.size() >= 2) {
            long first = rounds.getFirst().after().rssBesidesCache();
            long last = rounds.getLast().after().rssBesidesCache();
            if (last > first + first / 20 + (32L << 20)) {
                f.add("resident memory besides the prompt cache grew from " + (first >> 20) + " MiB after round 1 to " + (last >> 20)
                        + " MiB after round " + rounds.size());
            }
        }
        if (!loudLogLines.isEmpty()) {
            f.add(loudLogLines.size() + " WARNING/SEVERE/stack-trace lines in the server's log, e.g. " + loudLogLines.getFirst());
        }
        return f;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Disconnect soak\n\n");
        sb.append("Command: `./infernet bench soak ").append(soakArgs).append("`  \n");
        sb.append("Server: `infernet ").append(serveArgs.replaceAll("--model \\S+", "--model <demo model>")).append("` (a child JVM)  \n");
        sb.append("Machine: ").append(machine()).append("; load average ").append(String.format("%.1f", loadBefore)).append(" before, ")
                .append(String.format("%.1f", loadAfter)).append(" after: shared with other builds and tests, so durations are not "
                        + "comparable; the counts and the memory are what the soak checks.  \n");
        sb.append("Took ").append(took.toSeconds()).append(" s.\n\n");
        sb.append("| when | active sequences | KV cells held by running sequences | KV cells used (with cached prefixes) | queue | threads "
                + "| file descriptors | RSS MiB | prompt cache MiB | RSS besides the cache MiB |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Soak.Snapshot s : snapshots) {
            sb.append("| ").append(s.when()).append(" | ").append((long) s.activeSequences()).append(" | ").append((long) s.activeCells())
                    .append(" | ").append((long) s.usedCells()).append(" | ").append((long) s.queueDepth()).append(" | ")
                    .append(s.process().threads()).append(" | ").append(s.process().fds()).append(" | ").append(s.process().rssMiB())
                    .append(" | ").append((long) s.promptCacheBytes() >> 20).append(" | ").append(s.rssBesidesCache() >> 20).append(" |\n");
        }
        sb.append("\n| round | streams | planned to drop | outcomes | took s |\n|---|---|---|---|---|\n");
        for (Soak.Round r : rounds) {
            sb.append("| ").append(r.index()).append(" | ").append(settings.streams()).append(" | ").append(r.planned()).append(" | ")
                    .append(r.outcomes()).append(" | ").append(r.took().toSeconds()).append(" |\n");
        }
        List<String> failed = failedFloors();
        sb.append("\nFloors: ").append(failed.isEmpty() ? "all met (every stream that did not drop ended with a finish_reason and "
                + "[DONE]; gauges back to 0 after each round; threads and descriptors within " + TOLERANCE + " of the baseline; RSS besides "
                + "the prompt cache (which fills up to its budget by design) within 5% + 32 MiB from the first round to the last; no WARNING "
                + "or stack trace in the server's log)." : "NOT MET:\n- " + String.join("\n- ", failed)).append('\n');
        return sb.toString();
    }

    private static String machine() {
        String cpu = "unknown CPU";
        long memKb = -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).strip();
                    break;
                }
            }
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // described as unknown
        }
        return Runtime.getRuntime().availableProcessors() + " logical CPUs (" + cpu + "), " + (memKb > 0 ? (memKb >> 20) + " GiB RAM" : "RAM unknown");
    }
}
