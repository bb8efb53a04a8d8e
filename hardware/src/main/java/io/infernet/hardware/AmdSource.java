package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Runs {@code rocm-smi} (devices, then link types when there are several GPUs) and reads it with {@link RocmSmi}. */
final class AmdSource {
    private AmdSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolOutput<List<Gpu>> query = ToolOutput.read(tools, RocmSmi.QUERY, "rocm-smi", "rocm-smi output", RocmSmi::parseDevices);
        if (query.reason() != null) {
            return SourceReport.none(DetectionSource.AMD, query.reason());
        }
        List<Gpu> gpus = query.value();
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.AMD, "rocm-smi ran but listed no GPUs");
        }
        List<String> notes = new ArrayList<>();
        GpuLinks links = GpuLinks.NONE;
        if (gpus.size() > 1) {
            ToolOutput<Set<GpuLinks.Pair>> topo = ToolOutput.read(tools, RocmSmi.TOPOLOGY, "rocm-smi --showtopotype", "rocm-smi --showtopotype",
                    RocmSmi::parseTopology);
            if (topo.reason() != null) {
                notes.add("xGMI topology unknown: " + topo.reason());
            } else {
                links = GpuLinks.of(topo.value(), OptionalInt.empty());
            }
        }
        return SourceReport.found(DetectionSource.AMD, gpus, links, notes);
    }
}
