package io.infernet.hardware;

import java.util.List;

/** Runs {@code lspci -nn} and keeps its display controllers ({@link Lspci}). */
final class LspciSource {
    private LspciSource() {}

    static SourceReport detect(ToolRunner tools) {
        ToolOutput<List<Gpu>> listed = ToolOutput.read(tools, Lspci.COMMAND, "lspci", "lspci output", Lspci::parse);
        if (listed.reason() != null) {
            return SourceReport.none(DetectionSource.LSPCI, listed.reason());
        }
        List<Gpu> gpus = listed.value();
        if (gpus.isEmpty()) {
            return SourceReport.none(DetectionSource.LSPCI, "lspci lists no VGA/3D/display controller from NVIDIA, AMD or Intel");
        }
        return SourceReport.found(DetectionSource.LSPCI, gpus, GpuLinks.NONE, List.of());
    }
}
