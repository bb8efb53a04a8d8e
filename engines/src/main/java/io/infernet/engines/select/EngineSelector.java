package io.infernet.engines.select;

import io.infernet.engines.Engine;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.ollama.OllamaEngine;
import io.infernet.engines.ollama.OllamaOptions;
import io.infernet.engines.openai.OpenAiDialect;
import io.infernet.engines.openai.OpenAiEngine;
import io.infernet.engines.remote.Endpoint;
import io.infernet.engines.remote.RemoteOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Chooses the engine a node serves with. An explicit setting wins. Otherwise, in the existing
 * node's order: vLLM up at {@code VLLM_HOST} (default http://127.0.0.1:8000), a llama.cpp
 * server up at {@code LLAMACPP_HOST} (8080), Ollama up at {@code OLLAMA_HOST} (11434), and
 * last the in-process engine, which the caller supplies (a real engine: loading it is the
 * caller's business, and happens only when it is chosen).
 *
 * <p>Probes run in parallel, 500 ms each, and never throw (see {@link EngineProber}). The
 * caller passes its own API ports so that a server of this node on 8080 is never taken for
 * llama-server: such a candidate is excluded, not probed.
 */
public final class EngineSelector {
    public static final Duration PROBE_BUDGET = Duration.ofMillis(500);

    private final Map<String, String> env;
    private final Set<Integer> ownPorts;
    private final RemoteOptions remote;
    private final OllamaOptions ollama;
    private final EngineProber prober;

    /**
     * @param env      the environment to read {@code *_HOST} and API keys from ({@code System.getenv()})
     * @param ownPorts this node's own listening ports, never selected on this machine
     * @param remote   timeouts of the remote clients (the probe budget is their health timeout)
     * @param ollama   what the Ollama client sends (context length, threads)
     */
    public EngineSelector(Map<String, String> env, Set<Integer> ownPorts, RemoteOptions remote, OllamaOptions ollama) {
        this.env = Map.copyOf(env);
        this.ownPorts = Set.copyOf(ownPorts);
        this.remote = Objects.requireNonNull(remote, "remote");
        this.ollama = Objects.requireNonNull(ollama, "ollama");
        this.prober = new EngineProber(ownPorts, remote.healthTimeout(), ollama.numCtx());
    }

    /** The system environment, 500 ms probes, Ollama defaults. */
    public static EngineSelector system(Set<Integer> ownPorts) {
        return new EngineSelector(System.getenv(), ownPorts, RemoteOptions.DEFAULTS, OllamaOptions.defaults());
    }

    /** Where the remote engines are looked for: the explicit one only, or all three in order. */
    public List<Candidate> candidates(EngineSetting s) {
        if (!s.isAuto()) {
            return s.kind().isRemote() ? List.of(candidate(s.kind(), s.url(), s.apiKey())) : List.of();
        }
        return List.of(candidate(EngineKind.VLLM, null, null), candidate(EngineKind.LLAMACPP, null, null),
                candidate(EngineKind.OLLAMA, null, null));
    }

    private Candidate candidate(EngineKind kind, String url, String apiKey) {
        String key = apiKey != null ? apiKey : kind.apiKeyEnv() == null ? null : env.get(kind.apiKeyEnv());
        String text = url;
        String source = "setting";
        if (text == null) {
            text = env.get(kind.hostEnv());
            source = kind.hostEnv();
        }
        if (text == null || text.isBlank()) {
            text = "127.0.0.1:" + kind.defaultPort();
            source = "default port";
        }
        try {
            return new Candidate(kind, Endpoint.parse(text, kind.defaultPort(), key), source, null);
        } catch (IllegalArgumentException e) {
            return new Candidate(kind, null, source, source + "='" + text + "' is unusable: " + e.getMessage());
        }
    }

    /**
     * Probes and decides without building an engine (for {@code infernet engines}).
     *
     * @param inProcess what the in-process engine would load, in words
     */
    public SelectionReport survey(EngineSetting s, String inProcess) {
        List<ProbeOutcome> probes = prober.probeAll(candidates(s));
        Decision d = decide(s, probes);
        return report(probes, d, inProcess, List.of());
    }

    /**
     * Chooses and builds the engine. A remote engine that is explicitly set is used even when
     * its probe fails (requests then fail with UNAVAILABLE until it is up; the report says so).
     *
     * @param inProcess            makes the in-process engine; called only when it is chosen
     * @param inProcessDescription what it would load, in words
     * @throws IllegalArgumentException when the explicit setting is unusable (a bad URL, or this
     *     node's own port)
     */
    public Selection select(EngineSetting s, Supplier<Engine> inProcess, String inProcessDescription) {
        List<Candidate> candidates = candidates(s);
        if (!s.isAuto() && s.kind().isRemote()) {
            Candidate c = candidates.getFirst();
            if (c.problem() != null) {
                throw new IllegalArgumentException("engine " + s.kind().wireName() + ": " + c.problem());
            }
            if (prober.isOwn(c)) {
                throw new IllegalArgumentException("engine " + s.kind().wireName() + " at " + c.url()
                        + " is this node's own API port; point --engine-url at the " + s.kind().wireName() + " server");
            }
        }
        List<ProbeOutcome> probes = prober.probeAll(candidates);
        Decision d = decide(s, probes);
        if (d.kind() == EngineKind.IN_PROCESS) {
            Engine e = Objects.requireNonNull(inProcess.get(), "the in-process engine supplier returned null");
            return new Selection(e, report(probes, d, inProcessDescription, e.models()));
        }
        Candidate c = candidates.get(d.index());
        return new Selection(create(d.kind(), c.endpoint(), s.model()), report(probes, d, inProcessDescription, List.of()));
    }

    /** A client of a remote engine. */
    public Engine create(EngineKind kind, Endpoint endpoint, String defaultModel) {
        return switch (kind) {
            case VLLM -> new OpenAiEngine(OpenAiDialect.VLLM, endpoint, defaultModel, remote);
            case LLAMACPP -> new OpenAiEngine(OpenAiDialect.LLAMACPP, endpoint, defaultModel, remote);
            case OLLAMA -> new OllamaEngine(endpoint, ollama, defaultModel, remote);
            case IN_PROCESS -> throw new IllegalArgumentException("the in-process engine is made by the caller, not from a URL");
        };
    }

    /**
     * @param kind  the engine chosen (for a remote one, the kind that answered)
     * @param index its probe, or -1 for in-process
     */
    private record Decision(EngineKind kind, int index, String why) {}

    private static Decision decide(EngineSetting s, List<ProbeOutcome> probes) {
        if (!s.isAuto()) {
            if (!s.kind().isRemote()) {
                return new Decision(EngineKind.IN_PROCESS, -1, "explicitly set (engine = in-process)");
            }
            ProbeOutcome p = probes.getFirst();
            EngineKind kind = p.answeredAs() != null ? p.answeredAs() : s.kind();
            String state = p.up() ? "it is up" : "its probe says " + p.reason() + "; requests fail with 'unavailable' until it is up";
            return new Decision(kind, 0, "explicitly set (engine = " + s.kind().wireName() + "); " + state);
        }
        for (int i = 0; i < probes.size(); i++) {
            ProbeOutcome p = probes.get(i);
            if (p.up()) {
                return new Decision(p.answeredAs(), i, "the first engine up in the order vllm, llamacpp, ollama"
                        + (i == 0 ? "" : " (" + names(probes.subList(0, i)) + " not up)"));
            }
        }
        return new Decision(EngineKind.IN_PROCESS, -1, "no external engine is up (" + names(probes) + "), so the in-process engine serves");
    }

    private static String names(List<ProbeOutcome> probes) {
        return String.join(", ", probes.stream().map(p -> p.kind().wireName()).toList());
    }

    private static SelectionReport report(List<ProbeOutcome> probes, Decision d, String inProcess, List<ModelInfo> inProcessModels) {
        List<SelectionReport.Assignment> a = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            ProbeOutcome p = probes.get(i);
            for (ModelInfo m : p.models()) {
                a.add(new SelectionReport.Assignment(m.id(), p.answeredAs(), p.url(), i == d.index()));
            }
        }
        for (ModelInfo m : inProcessModels) {
            a.add(new SelectionReport.Assignment(m.id(), EngineKind.IN_PROCESS, null, true));
        }
        String url = d.index() < 0 ? null : probes.get(d.index()).url();
        return new SelectionReport(probes, d.kind(), url, d.why(), a, inProcess);
    }
}
