package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for {@code nvidia-smi} output: pure functions of the text, tested on recorded fixtures. */
public final class NvidiaSmi {
    private NvidiaSmi() {}

    /** Fields in this order; memory in MiB and utilization in percent because of {@code nounits}. */
    public static final List<String> QUERY = List.of("nvidia-smi",
            "--query-gpu=index,name,memory.total,memory.free,utilization.gpu,pci.bus_id,driver_version",
            "--format=csv,noheader,nounits");
    /** The GPU/NIC connection matrix; {@code NV<n>} cells are NVLink. */
    public static final List<String> TOPOLOGY = List.of("nvidia-smi", "topo", "-m");
    /** Per-GPU NVLink lines, {@code Link <i>: <speed>} or {@code <inactive>}. */
    public static final List<String> NVLINK_STATUS = List.of("nvidia-smi", "nvlink", "--status");

    private static final long MIB = 1L << 20;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Pattern GPU_NAME = Pattern.compile("GPU(\\d+)");
    private static final Pattern LINK_LINE = Pattern.compile("^\\s*Link\\s+\\d+\\s*:\\s*(.*)$");

    /**
     * Parses the {@link #QUERY} CSV, one GPU a line. Values nvidia-smi cannot give ({@code [N/A]},
     * {@code [Not Supported]}, any bracketed text) become empty. A line with fewer than seven
     * fields or a non-numeric number fails the whole parse: half-read output is not trusted.
     *
     * @throws UnreadableOutputException naming the bad line
     */
    public static List<Gpu> parseQuery(String text) {
        List<Gpu> gpus = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\\R")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length < 7) {
                throw new UnreadableOutputException("line " + lineNo + " has " + f.length + " fields, expected 7: " + UnreadableOutputException.quote(line));
            }
            // A name with a comma would add fields; the name is everything between index and the last five.
            int n = f.length;
            String name = String.join(",", java.util.Arrays.copyOfRange(f, 1, n - 5)).strip();
            OptionalLong index = number(f[0], "index", lineNo);
            if (index.isEmpty()) {
                throw new UnreadableOutputException("line " + lineNo + " has no GPU index: " + UnreadableOutputException.quote(line));
            }
            if (name.isEmpty() || isUnavailable(name)) {
                throw new UnreadableOutputException("line " + lineNo + " has no GPU name: " + UnreadableOutputException.quote(line));
            }
            OptionalLong totalMib = number(f[n - 5], "memory.total", lineNo);
            OptionalLong freeMib = number(f[n - 4], "memory.free", lineNo);
            OptionalLong util = number(f[n - 3], "utilization.gpu", lineNo);
            gpus.add(new Gpu(GpuVendor.NVIDIA, Math.toIntExact(index.getAsLong()), name,
                    times(totalMib, MIB), times(freeMib, MIB),
                    util.isPresent() ? OptionalInt.of((int) Math.min(100, util.getAsLong())) : OptionalInt.empty(),
                    Gpu.normalizeBusId(f[n - 2]), text(f[n - 1]), false, DetectionSource.NVIDIA));
        }
        return gpus;
    }

    /**
     * Parses {@code nvidia-smi topo -m} into the GPU pairs joined by NVLink ({@code NV<n>} cells).
     * The header names the matrix columns (GPUs, then NICs) up to {@code CPU Affinity}; each
     * {@code GPU<i>} row has one cell per column. Legend lines are ignored.
     *
     * @throws UnreadableOutputException when there is no GPU column header
     */
    public static Set<GpuLinks.Pair> parseTopology(String text) {
        String clean = ANSI.matcher(text).replaceAll("");
        List<String> columns = null;
        Set<GpuLinks.Pair> pairs = new TreeSet<>();
        for (String line : clean.split("\\R")) {
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length == 0 || tokens[0].isEmpty()) {
                continue;
            }
            if (columns == null) {
                if (GPU_NAME.matcher(tokens[0]).matches()) {
                    columns = new ArrayList<>();
                    for (String t : tokens) {
                        if (t.equals("CPU") || t.equals("NUMA")) {
                            break;
                        }
                        columns.add(t);
                    }
                }
                continue;
            }
            Matcher row = GPU_NAME.matcher(tokens[0]);
            if (!row.matches()) {
                continue;
            }
            int from = Integer.parseInt(row.group(1));
            for (int c = 0; c < columns.size() && c + 1 < tokens.length; c++) {
                Matcher col = GPU_NAME.matcher(columns.get(c));
                String cell = tokens[c + 1];
                if (col.matches() && cell.matches("NV\\d+")) {
                    int to = Integer.parseInt(col.group(1));
                    if (to != from) {
                        pairs.add(GpuLinks.Pair.of(from, to));
                    }
                }
            }
        }
        if (columns == null) {
            throw new UnreadableOutputException("no GPU0 column header in topology matrix: " + UnreadableOutputException.quote(clean));
        }
        return pairs;
    }

    /** Counts the NVLink lines of {@code nvidia-smi nvlink --status} that show a speed, not {@code <inactive>}. */
    public static int parseActiveLinks(String text) {
        int active = 0;
        for (String line : text.split("\\R")) {
            Matcher m = LINK_LINE.matcher(line);
            if (m.matches() && !m.group(1).toLowerCase(java.util.Locale.ROOT).contains("inactive")) {
                active++;
            }
        }
        return active;
    }

    static boolean isUnavailable(String value) {
        String v = value.strip();
        return v.isEmpty() || (v.startsWith("[") && v.endsWith("]")) || v.equalsIgnoreCase("N/A");
    }

    private static OptionalLong number(String raw, String field, int lineNo) {
        String v = raw.strip();
        if (isUnavailable(v)) {
            return OptionalLong.empty();
        }
        try {
            double d = Double.parseDouble(v);
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return OptionalLong.of((long) d);
        } catch (NumberFormatException e) {
            throw new UnreadableOutputException("line " + lineNo + ": " + field + " is not a number: " + UnreadableOutputException.quote(v));
        }
    }

    private static OptionalLong times(OptionalLong v, long unit) {
        return v.isPresent() ? OptionalLong.of(Math.multiplyExact(v.getAsLong(), unit)) : OptionalLong.empty();
    }

    private static Optional<String> text(String raw) {
        return isUnavailable(raw) ? Optional.empty() : Optional.of(raw.strip());
    }
}
