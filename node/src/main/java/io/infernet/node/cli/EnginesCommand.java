package io.infernet.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.ollama.OllamaOptions;
import io.infernet.engines.remote.RemoteOptions;
import io.infernet.engines.select.EngineSelector;
import io.infernet.engines.select.EngineSetting;
import io.infernet.engines.select.ProbeOutcome;
import io.infernet.engines.select.SelectionReport;
import io.infernet.runtime.gguf.DemoModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infernet engines}: which engines answer, how selection would decide, and which engine
 * serves which model. Probes only (500 ms each, in parallel); loads no model.
 */
@Command(name = "engines", mixinStandardHelpOptions = true,
        description = "Probe vLLM (VLLM_HOST, default :8000), a llama.cpp server (LLAMACPP_HOST, :8080) and Ollama (OLLAMA_HOST, :11434), "
                + "show what answered (latency, models), which engine would serve, and which engine has which model. "
                + "The in-process engine is listed last; no model is loaded.")
public final class EnginesCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--engine", paramLabel = "KIND", defaultValue = "auto",
            description = "auto (default), in-process, vllm, llamacpp or ollama: what the node is told to use.")
    String engine;

    @Option(names = "--engine-url", paramLabel = "URL", description = "Where the --engine listens (default: its *_HOST variable or port).")
    String engineUrl;

    @Option(names = "--own-port", paramLabel = "PORT",
            description = "A port of this node's own API on this machine, never taken for an engine (repeatable; `serve` passes its --port).")
    List<Integer> ownPorts;

    @Option(names = "--model", paramLabel = "PATH", description = "The GGUF the in-process engine would load (default: the built-in demo model).")
    Path model;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    public EnginesCommand() {
        this(System.getenv());
    }

    /** For tests: another environment. */
    EnginesCommand(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    @Override
    public Integer call() throws JsonProcessingException {
        EngineSetting setting;
        try {
            setting = EngineSetting.parse(engine, engineUrl, null, null);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        EngineSelector selector = new EngineSelector(env, ownPorts == null ? Set.of() : new HashSet<>(ownPorts), RemoteOptions.DEFAULTS,
                OllamaOptions.defaults());
        SelectionReport report = selector.survey(setting, inProcessDescription());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(io.infernet.engines.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json(report)));
        } else {
            text(report).forEach(out::println);
        }
        out.flush();
        return 0;
    }

    private String inProcessDescription() {
        if (model != null) {
            return model.toString();
        }
        Path demo = DemoModel.path();
        return "the built-in demo model " + demo.getFileName() + " (random weights"
                + (demo.toFile().isFile() ? "" : "; made on first use") + ")";
    }

    static List<String> text(SelectionReport r) {
        List<String> lines = new ArrayList<>();
        lines.add("Engines, in selection order (probe: GET within 500 ms)");
        for (ProbeOutcome p : r.probes()) {
            String state = p.state().name().toLowerCase(Locale.ROOT);
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-10s %-28s %-9s %-5s", p.kind().wireName(),
                    p.url() == null ? "-" : p.url(), state, p.state() == ProbeOutcome.State.EXCLUDED ? "" : p.latency().toMillis() + "ms"));
            b.append(" (").append(p.source()).append(")");
            if (p.up()) {
                b.append(" models: ").append(p.models().isEmpty() ? "none" : String.join(", ", p.models().stream().map(ModelInfo::id).toList()));
            }
            if (p.reason() != null) {
                b.append(p.up() ? "; " : " ").append(p.reason());
            }
            lines.add(b.toString());
        }
        lines.add(String.format(Locale.ROOT, "  %-10s %-28s %-9s       would load %s", "in-process", "(this process)", "ready", r.inProcess()));
        lines.add("");
        lines.add("Selected: " + r.chosen().wireName() + (r.chosenUrl() == null ? "" : " at " + r.chosenUrl()) + " (" + r.why() + ")");
        lines.add("");
        lines.add("Models");
        if (r.assignments().isEmpty() && r.chosen().isRemote()) {
            lines.add("  (the selected engine lists no model)");
        }
        for (SelectionReport.Assignment a : r.assignments()) {
            lines.add(String.format(Locale.ROOT, "  %-32s %-10s %s", a.model(), a.kind().wireName(),
                    (a.url() == null ? "" : a.url() + " ") + (a.served() ? "served" : "available there, not selected")));
        }
        if (!r.chosen().isRemote()) {
            lines.add(String.format(Locale.ROOT, "  %-32s %-10s %s", "(" + r.inProcess() + ")", "in-process", "served once loaded"));
        }
        return lines;
    }

    static ObjectNode json(SelectionReport r) {
        ObjectMapper m = io.infernet.engines.Json.MAPPER;
        ObjectNode o = m.createObjectNode();
        ArrayNode probes = o.putArray("probes");
        for (ProbeOutcome p : r.probes()) {
            ObjectNode n = probes.addObject();
            n.put("engine", p.kind().wireName());
            n.put("url", p.url());
            n.put("source", p.source());
            n.put("state", p.state().name().toLowerCase(Locale.ROOT));
            n.put("latency_ms", p.latency().toMillis());
            ArrayNode models = n.putArray("models");
            p.models().forEach(mi -> models.addObject().put("id", mi.id()).put("context_length", mi.contextLength()));
            n.put("answered_as", p.answeredAs() == null ? null : p.answeredAs().wireName());
            n.put("reason", p.reason());
        }
        o.putObject("in_process").put("would_load", r.inProcess());
        o.put("selected", r.chosen().wireName());
        o.put("selected_url", r.chosenUrl());
        o.put("why", r.why());
        ArrayNode a = o.putArray("models");
        for (SelectionReport.Assignment as : r.assignments()) {
            a.addObject().put("model", as.model()).put("engine", as.kind().wireName()).put("url", as.url()).put("served", as.served());
        }
        return o;
    }
}
