package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Runs {@code system_profiler} and {@code sysctl hw.memsize} on macOS; elsewhere reports why it did not. */
final class AppleSource {
    private AppleSource() {}

    static SourceReport detect(ToolRunner tools, OsKind os) {
        if (os != OsKind.MAC) {
            return SourceReport.none(DetectionSource.APPLE, "system_profiler is macOS only (this is " + os.name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        ToolResult displays = tools.run(SystemProfiler.DISPLAYS);
        String reason = ToolResult.reasonOf("system_profiler", displays);
        if (reason != null) {
            return SourceReport.none(DetectionSource.APPLE, reason);
        }
        List<String> notes = new ArrayList<>();
        OptionalLong memsize = OptionalLong.empty();
        ToolResult mem = tools.run(SystemProfiler.MEMSIZE);
        String whyMem = ToolResult.reasonOf("sysctl", mem);
        if (whyMem != null) {
            notes.add("unified memory size unknown: " + whyMem);
        } else {
            try {
                memsize = OptionalLong.of(SystemProfiler.parseMemsize(((ToolResult.Completed) mem).stdout()));
            } catch (UnreadableOutputException e) {
                notes.add("unified memory size unknown: " + e.getMessage());
            }
        }
        try {
            List<Gpu> gpus = SystemProfiler.parseDisplays(((ToolResult.Completed) displays).stdout(), memsize);
            if (gpus.isEmpty()) {
                return SourceReport.none(DetectionSource.APPLE, "system_profiler listed no GPU");
            }
            return SourceReport.found(DetectionSource.APPLE, gpus, GpuLinks.NONE, notes);
        } catch (UnreadableOutputException e) {
            return SourceReport.none(DetectionSource.APPLE, "could not read system_profiler output: " + e.getMessage());
        }
    }
}
