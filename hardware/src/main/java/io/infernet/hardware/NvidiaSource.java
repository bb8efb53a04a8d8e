package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/** Runs {@code nvidia-smi} (query, {@code topo -m}, {@code nvlink --status}) and reads its output with {@link NvidiaSmi}. */
final class NvidiaSource {
    private NvidiaSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolResult query = tools.run(NvidiaSmi.QUERY);
        String reason = ToolResult.reasonOf("nvidia-smi", query);
        if (reason != null) {
            return SourceReport.none(DetectionSource.NVIDIA, reason);
        }
        List<Gpu> gpus;
        try {
            gpus = NvidiaSmi.parseQuery(((ToolResult.Completed) query).stdout());
        } catch (UnreadableOutputException e) {
            return SourceReport.none(DetectionSource.NVIDIA, "could not read nvidia-smi output: " + e.getMessage());
        }
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.NVIDIA, "nvidia-smi ran but listed no GPUs");
        }
        List<String> notes = new ArrayList<>();
        GpuLinks links = GpuLinks.NONE;
        if (gpus.size() > 1) {
            links = nvlink(tools, notes);
        }
        return SourceReport.found(DetectionSource.NVIDIA, gpus, links, notes);
    }

    /** NVLink pairs from {@code topo -m}, physical links from {@code nvlink --status}; problems become notes. */
    private static GpuLinks nvlink(ToolRunner tools, List<String> notes) {
        Set<GpuLinks.Pair> pairs = Set.of();
        ToolResult topo = tools.run(NvidiaSmi.TOPOLOGY);
        String why = ToolResult.reasonOf("nvidia-smi topo -m", topo);
        if (why != null) {
            notes.add("NVLink topology unknown: " + why);
        } else {
            try {
                pairs = NvidiaSmi.parseTopology(((ToolResult.Completed) topo).stdout());
            } catch (UnreadableOutputException e) {
                notes.add("NVLink topology unknown: could not read nvidia-smi topo -m: " + e.getMessage());
            }
        }
        OptionalInt active = OptionalInt.empty();
        ToolResult status = tools.run(NvidiaSmi.NVLINK_STATUS);
        String whyStatus = ToolResult.reasonOf("nvidia-smi nvlink --status", status);
        if (whyStatus != null) {
            notes.add("NVLink link count unknown: " + whyStatus);
        } else {
            active = OptionalInt.of(NvidiaSmi.parseActiveLinks(((ToolResult.Completed) status).stdout()));
        }
        return GpuLinks.of(pairs, active);
    }
}
