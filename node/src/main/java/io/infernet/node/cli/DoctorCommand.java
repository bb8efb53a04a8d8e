package io.infernet.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.hardware.Check;
import io.infernet.hardware.DoctorChecks;
import io.infernet.hardware.HardwareJson;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.RuntimeDeviceSource;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.HardwareText;
import io.infernet.hardware.Units;
import io.infernet.hardware.UserTier;
import io.infernet.hardware.fit.FitEstimate;
import io.infernet.hardware.fit.FitEstimator;
import io.infernet.hardware.fit.GgufFootprint;
import io.infernet.hardware.fit.MemoryBudget;
import io.infernet.hardware.fit.ModelCatalog;
import io.infernet.hardware.fit.ModelFootprint;
import io.infernet.hardware.fit.Quant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infernet doctor}: the hardware report, RAM and disk checks against the node tier's
 * minimums, and which models fit at a context length. Exit code 1 when any check FAILs.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine for serving: GPUs (with the reason when none is found), RAM and disk against the tier's "
                + "minimums, and which model sizes and quantizations fit at a context length. Exits 1 when a check fails.")
public final class DoctorCommand implements Callable<Integer> {

    static final int MIN_CTX = 256;
    static final int MAX_CTX = 1 << 20;

    @Option(names = "--ctx", paramLabel = "TOKENS", defaultValue = "8192",
            description = "Context length for the fit estimates (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--model", paramLabel = "PATH", description = "A GGUF model file to check (repeatable).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Model store whose disk is checked (default: $XDG_DATA_HOME/infernet/models or ~/.local/share/infernet/models).")
    Path modelsDir;

    @Option(names = "--json", description = "Print everything as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    private final Supplier<HardwareProbe> probe;

    public DoctorCommand() {
        this(() -> HardwareProbe.system(new RuntimeDeviceSource()));
    }

    /** For tests: detection on fixtures. */
    DoctorCommand(Supplier<HardwareProbe> probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    @Override
    public Integer call() throws JsonProcessingException {
        if (ctx < MIN_CTX || ctx > MAX_CTX) {
            throw new Main.UsageError("--ctx must be between " + MIN_CTX + " and " + MAX_CTX + " tokens, got " + ctx);
        }
        HardwareReport report = probe.get().detect();
        UserTier tier = report.tier().userTier();
        List<Check> checks = new ArrayList<>();
        checks.add(DoctorChecks.gpu(report));
        checks.add(DoctorChecks.ram(report.memory(), tier));
        checks.add(disk(modelsDir != null ? modelsDir : defaultModelStore(System.getenv(), System.getProperty("user.home")), tier));
        MemoryBudget budget = MemoryBudget.forNode(report);
        List<FitEstimate> table = FitEstimator.catalogue(ctx, budget);
        List<FitEstimate> given = new ArrayList<>();
        for (Path m : models) {
            try {
                ModelFootprint fp = GgufFootprint.read(m);
                FitEstimate e = FitEstimator.estimate(fp, ctx, budget);
                given.add(e);
                checks.add(DoctorChecks.model(m.getFileName().toString(), e));
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage().startsWith(m + ": ") ? e.getMessage().substring(m.toString().length() + 2) : e.getMessage();
                checks.add(DoctorChecks.unreadableModel(m.toString(), msg));
            }
        }
        Check.Status worst = DoctorChecks.worst(checks);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(io.infernet.engines.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(report, checks, budget, table, given, worst)));
        } else {
            printText(out, report, checks, budget, table, worst);
        }
        out.flush();
        return worst == Check.Status.FAIL ? 1 : 0;
    }

    /** {@code $XDG_DATA_HOME/infernet/models} when XDG_DATA_HOME is an absolute path, else {@code ~/.local/share/infernet/models}. */
    static Path defaultModelStore(Map<String, String> env, String home) {
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "infernet", "models");
        }
        return Path.of(home, ".local", "share", "infernet", "models");
    }

    static Check disk(Path store, UserTier tier) {
        Path abs = store.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return new Check(Check.Status.FAIL, "Disk", "model store " + abs + ": no part of this path exists", List.of());
        }
        try {
            FileStore fs = Files.getFileStore(existing);
            return DoctorChecks.disk(abs.toString(), existing.toString(), fs.getTotalSpace(), fs.getUsableSpace(), tier);
        } catch (IOException e) {
            return new Check(Check.Status.FAIL, "Disk", "model store " + abs + ": cannot measure its file system (" + e.getMessage() + ")", List.of());
        }
    }

    private void printText(PrintWriter out, HardwareReport report, List<Check> checks, MemoryBudget budget, List<FitEstimate> table,
                           Check.Status worst) {
        GpuCommand.print(out, report);
        out.println();
        out.println("Checks");
        for (Check c : checks) {
            out.println(c.line());
            c.more().forEach(m -> out.println("       " + m));
        }
        out.println();
        out.println("Fit at " + ctx + " context, " + budget.where() + ": " + Units.gib1(budget.capacityBytes()) + " GiB usable"
                + budget.freeBytes().stream().mapToObj(f -> ", " + Units.gib1(f) + " GiB free now").findFirst().orElse(""));
        out.println("  GiB needed (weights + KV + overhead); 'ok' fits, 'busy' fits once memory is freed, 'no' does not fit");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-14s", "model"));
        for (Quant q : Quant.values()) {
            head.append(String.format(Locale.ROOT, " %11s", q.name()));
        }
        out.println(head);
        int perModel = Quant.values().length;
        for (int i = 0; i < table.size(); i += perModel) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-14s", ModelCatalog.MODELS.get(i / perModel).name()));
            for (FitEstimate e : table.subList(i, i + perModel)) {
                String mark = switch (e.verdict()) {
                    case FITS -> "ok";
                    case FITS_WHEN_FREED -> "busy";
                    case DOES_NOT_FIT -> "no";
                };
                row.append(String.format(Locale.ROOT, " %11s", Units.gib(e.totalBytes()) + " " + mark));
            }
            out.println(row);
        }
        out.println();
        out.println("In words (the best quantization that fits each model, else the smallest):");
        for (int i = 0; i < table.size(); i += perModel) {
            out.println("  " + bestOf(table.subList(i, i + perModel)).describe());
        }
        out.println();
        out.println("Result: " + worst + " (" + count(checks, Check.Status.FAIL) + " FAIL, " + count(checks, Check.Status.WARN) + " WARN)");
    }

    /** The first (largest) quantization that fits, else the last (smallest). */
    static FitEstimate bestOf(List<FitEstimate> quants) {
        return quants.stream().filter(e -> e.verdict() != FitEstimate.Verdict.DOES_NOT_FIT).findFirst().orElse(quants.getLast());
    }

    private static long count(List<Check> checks, Check.Status s) {
        return checks.stream().filter(c -> c.status() == s).count();
    }

    private ObjectNode toJson(HardwareReport report, List<Check> checks, MemoryBudget budget, List<FitEstimate> table,
                              List<FitEstimate> given, Check.Status worst) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("status", worst.name());
        ArrayNode cs = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode o = cs.addObject().put("status", c.status().name()).put("title", c.title()).put("detail", c.detail());
            c.more().forEach(o.putArray("more")::add);
        }
        ObjectNode fit = root.putObject("fit").put("ctx", ctx);
        ObjectNode b = fit.putObject("budget").put("where", budget.where()).put("kind", budget.kind().name().toLowerCase(Locale.ROOT))
                .put("capacity_bytes", budget.capacityBytes());
        if (budget.freeBytes().isPresent()) {
            b.put("free_bytes", budget.freeBytes().getAsLong());
        } else {
            b.putNull("free_bytes");
        }
        ArrayNode rows = fit.putArray("catalogue");
        table.forEach(e -> estimate(rows.addObject(), e));
        ArrayNode files = fit.putArray("models");
        given.forEach(e -> estimate(files.addObject(), e));
        root.set("hardware", HardwareJson.of(report));
        return root;
    }

    private static void estimate(ObjectNode o, FitEstimate e) {
        o.put("model", e.model().name()).put("weights_bytes", e.weightBytes()).put("kv_bytes", e.kvBytes())
                .put("overhead_bytes", e.overheadBytes()).put("total_bytes", e.totalBytes())
                .put("verdict", e.verdict().name().toLowerCase(Locale.ROOT)).put("text", e.describe());
    }
}
