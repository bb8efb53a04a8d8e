package io.infernet.node.cli;

import io.infernet.engines.vllm.EnvVar;
import io.infernet.engines.vllm.NcclFabrics;
import io.infernet.engines.vllm.LaunchException;
import io.infernet.engines.vllm.LaunchPlan;
import io.infernet.engines.vllm.RayConfig;
import io.infernet.engines.vllm.VllmCommandLine;
import io.infernet.engines.vllm.VllmConfig;
import io.infernet.engines.vllm.VllmLauncher;
import io.infernet.engines.vllm.VllmProcess;
import io.infernet.hardware.HardwareProbe;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code infernet vllm}: runs {@code vllm serve} (after {@code ray start} on a Ray head or
 * worker, from {@code INFERNET_RAY_MODE}) with the fabric's NCCL variables, waits until it
 * answers, and keeps it running until the node is stopped. {@code --dry-run} prints the exact
 * commands and environment instead.
 */
@Command(name = "vllm", mixinStandardHelpOptions = true,
        description = "Run vLLM (tensor and pipeline parallel; multi-node with INFERNET_RAY_MODE=head|worker, INFERNET_RAY_HEAD, INFERNET_RAY_PORT) "
                + "until stopped. --dry-run prints the exact commands and environment.")
public final class VllmCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "Hugging Face id or local path of the model.")
    String model;

    @Option(names = "--tp", paramLabel = "N", defaultValue = "1", description = "Tensor-parallel size: GPUs each layer is split across (default ${DEFAULT-VALUE}).")
    int tp;

    @Option(names = "--pp", paramLabel = "M", defaultValue = "1", description = "Pipeline-parallel size: stages, possibly on several machines (default ${DEFAULT-VALUE}).")
    int pp;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Address vLLM listens on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8000", description = "vLLM's port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-model-len", paramLabel = "L", defaultValue = "0", description = "Context tokens per sequence (default 0 = the model's own).")
    int maxModelLen;

    @Option(names = "--gpu-memory-utilization", paramLabel = "F", defaultValue = "0.9",
            description = "Fraction of each GPU's memory vLLM may use (default ${DEFAULT-VALUE}).")
    double gpuMemoryUtilization;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "Name clients use (default: the model id).")
    String servedModelName;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:VLLM_API_KEY}",
            description = "Key clients must send; also read from VLLM_API_KEY. Passed to vLLM in its environment, never on its command line.")
    String apiKey;

    @Option(names = "--socket-ifname", paramLabel = "IF",
            description = "Network interface for NCCL and Gloo TCP traffic (NCCL_SOCKET_IFNAME; an operator's own NCCL_SOCKET_IFNAME wins).")
    String socketIfname;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "How long loading may take before giving up (default ${DEFAULT-VALUE}).")
    long readyTimeout;

    @Option(names = "--dry-run", description = "Print the commands and environment; start nothing.")
    boolean dryRun;

    @Parameters(paramLabel = "VLLM_ARG", arity = "0..*", description = "More arguments for vllm serve, after --.")
    List<String> extra;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final Supplier<io.infernet.hardware.Interconnects> detect;

    public VllmCommand() {
        this(System.getenv(), () -> HardwareProbe.system().detect().interconnects());
    }

    /** For tests: another environment and fabric. */
    VllmCommand(Map<String, String> env, Supplier<io.infernet.hardware.Interconnects> detect) {
        this.env = Objects.requireNonNull(env, "env");
        this.detect = Objects.requireNonNull(detect, "detect");
    }

    @Override
    public Integer call() throws InterruptedException {
        LaunchPlan plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            dryRun(plan, env).forEach(out::println);
            out.flush();
            return 0;
        }
        VllmLauncher launcher = new VllmLauncher(env, line -> {
            out.println(line);
            out.flush();
        }, Duration.ofSeconds(15), Duration.ofSeconds(30));
        VllmProcess p;
        try {
            p = launcher.start(plan, Duration.ofSeconds(readyTimeout));
        } catch (LaunchException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            p.close();
        }, "infernet-vllm-stop"));
        out.println("infernet: workload classes while this runs: " + String.join(", ", p.workloadClasses()) + "; stop with Ctrl-C");
        out.flush();
        int code = p.onExit().join();
        if (stopping.get()) {
            return 0;
        }
        spec.commandLine().getErr().println("error: " + (plan.serve().isEmpty() ? "the Ray worker" : "vLLM") + " exited by itself with code " + code
                + p.diagnosis().map(d -> ": " + d).orElse(""));
        p.close();
        return 1;
    }

    /** The plan from the options, the INFERNET_RAY_* variables and the detected fabric. */
    LaunchPlan plan() {
        try {
            VllmConfig c = new VllmConfig(model, tp, pp, host, port, maxModelLen, gpuMemoryUtilization, servedModelName, apiKey,
                    extra == null ? List.of() : extra);
            RayConfig ray = RayConfig.fromEnv(env);
            return VllmCommandLine.plan(c, ray, fabrics(detect.get(), socketIfname));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /** The node's detected fabrics in the launcher's terms: RoCE counts as InfiniBand for NCCL (both are verbs). */
    static NcclFabrics fabrics(io.infernet.hardware.Interconnects hw, String socketIfname) {
        return new NcclFabrics(hw.nvlink().available(), hw.infiniband().available() || hw.roceActivePorts() > 0, hw.efa().available(),
                socketIfname);
    }

    /** What would run, for people and scripts: environment with purposes, then each command, shell-quoted. */
    static List<String> dryRun(LaunchPlan plan, Map<String, String> parent) {
        List<String> lines = new ArrayList<>();
        List<EnvVar> added = plan.addedTo(parent);
        lines.add("# environment added to the node's own" + (added.isEmpty() ? ": none" : ""));
        for (EnvVar v : added) {
            lines.add(v.shown() + "  # " + v.purpose());
        }
        for (EnvVar v : plan.environment()) {
            if (!added.contains(v)) {
                lines.add("# " + v.name() + " is already set in the environment and is left as it is");
            }
        }
        if (!plan.rayStart().isEmpty()) {
            lines.add("# Ray " + plan.ray().mode().name().toLowerCase(java.util.Locale.ROOT)
                    + (plan.rayBlocks() ? " (runs in the foreground until the node stops)" : " (starts Ray's daemons and returns)"));
            lines.add(shell(plan.rayStart()));
        }
        if (!plan.serve().isEmpty()) {
            lines.add("# vLLM");
            lines.add(shell(plan.serve()));
        }
        lines.add("# workload classes advertised while it runs: " + (plan.workloadClasses().isEmpty() ? "none (a Ray worker; the head serves)"
                : String.join(", ", plan.workloadClasses())));
        return lines;
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    static String shell(List<String> cmd) {
        List<String> q = new ArrayList<>();
        for (String a : cmd) {
            q.add(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", q);
    }
}
