package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Runs {@code rocm-smi} (devices, then link types when there are several GPUs) and reads it with {@link RocmSmi}. */
final class AmdSource {
    private AmdSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolResult query = tools.run(RocmSmi.QUERY);
        String reason = ToolResult.reasonOf("rocm-smi", query);
        if (reason != null) {
            return SourceReport.none(DetectionSource.AMD, reason);
        }
        List<Gpu> gpus;
        try {
            gpus = RocmSmi.parseDevices(((ToolResult.Completed) query).stdout());
        } catch (UnreadableOutputException e) {
            return SourceReport.none(DetectionSource.AMD, "could not read rocm-smi output: " + e.getMessage());
        }
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.AMD, "rocm-smi ran but listed no GPUs");
        }
        List<String> notes = new ArrayList<>();
        GpuLinks links = GpuLinks.NONE;
        if (gpus.size() > 1) {
            ToolResult topo = tools.run(RocmSmi.TOPOLOGY);
            String why = ToolResult.reasonOf("rocm-smi --showtopotype", topo);
            if (why != null) {
                notes.add("xGMI topology unknown: " + why);
            } else {
                try {
                    Set<GpuLinks.Pair> pairs = RocmSmi.parseTopology(((ToolResult.Completed) topo).stdout());
                    links = GpuLinks.of(pairs, OptionalInt.empty());
                } catch (UnreadableOutputException e) {
                    notes.add("xGMI topology unknown: could not read rocm-smi --showtopotype: " + e.getMessage());
                }
            }
        }
        return SourceReport.found(DetectionSource.AMD, gpus, links, notes);
    }
}
