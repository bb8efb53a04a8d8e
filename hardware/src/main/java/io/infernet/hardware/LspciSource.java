package io.infernet.hardware;

import java.util.List;

/** Runs {@code lspci -nn} and keeps its display controllers ({@link Lspci}). */
final class LspciSource {
    private LspciSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolResult r = tools.run(Lspci.COMMAND);
        String reason = ToolResult.reasonOf("lspci", r);
        if (reason != null) {
            return SourceReport.none(DetectionSource.LSPCI, reason);
        }
        List<Gpu> gpus = Lspci.parse(((ToolResult.Completed) r).stdout());
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.LSPCI, "lspci lists no VGA/3D/display controller from NVIDIA, AMD or Intel");
        }
        return SourceReport.found(DetectionSource.LSPCI, gpus, GpuLinks.NONE, List.of());
    }
}
