package io.infernet.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.infernet.hardware.HardwareJson;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.RuntimeDeviceSource;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.HardwareText;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infernet gpu}: what each detection source found (or why not), the GPUs, interconnects and tiers. */
@Command(name = "gpu", mixinStandardHelpOptions = true,
        description = "Show the GPUs of this machine as nvidia-smi, rocm-smi, system_profiler, lspci and the in-process view see them "
                + "(with the reason when one finds nothing), the interconnects, each GPU's wire tier and the node's tier.")
public final class GpuCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the full local report as JSON (exact sizes, reasons, the heartbeat specs it would send).")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Supplier<HardwareProbe> probe;

    public GpuCommand() {
        this(() -> HardwareProbe.system(new RuntimeDeviceSource()));
    }

    /** For tests: detection on fixtures. */
    GpuCommand(Supplier<HardwareProbe> probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    @Override
    public Integer call() throws JsonProcessingException {
        HardwareReport report = probe.get().detect();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(io.infernet.engines.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(HardwareJson.of(report)));
        } else {
            print(out, report);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, HardwareReport report) {
        out.println("Detection sources");
        HardwareText.sources(report).forEach(out::println);
        out.println();
        out.println("GPUs");
        HardwareText.gpus(report).forEach(out::println);
        out.println();
        out.println("Interconnects");
        HardwareText.interconnects(report).forEach(out::println);
        out.println();
        HardwareText.tier(report).forEach(out::println);
        report.notes().forEach(n -> out.println("note: " + n));
    }
}
