package io.infernet.engines.select;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.ollama.OllamaResponses;
import io.infernet.engines.openai.OpenAiResponses;
import io.infernet.engines.remote.HttpProbe;
import io.infernet.engines.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks each candidate whether it is up: one GET of {@code /v1/models} or {@code /api/tags}
 * within the budget (500 ms), all candidates at once on virtual threads. Never throws.
 *
 * <p>A candidate on this machine at one of {@code ownPorts} (this node's own API ports) is
 * not asked: it would be this node answering itself. The existing JavaScript node's health
 * server sat on llama-server's port 8080 and did exactly that. A server that lists its models
 * as {@code owned_by: "in-process"} is an Infernet node too, wherever it is, and is excluded.
 */
public final class EngineProber {

    private final Set<Integer> ownPorts;
    private final Duration budget;
    private final int ollamaNumCtx;

    /**
     * @param ownPorts     ports this node's own servers listen on (or will)
     * @param budget       each probe's time limit
     * @param ollamaNumCtx the context length reported for Ollama models (what the client sends)
     */
    public EngineProber(Set<Integer> ownPorts, Duration budget, int ollamaNumCtx) {
        this.ownPorts = Set.copyOf(ownPorts);
        this.budget = budget;
        this.ollamaNumCtx = ollamaNumCtx;
    }

    /** Probes all candidates in parallel; the outcomes are in the candidates' order. */
    public List<ProbeOutcome> probeAll(List<Candidate> candidates) {
        List<ProbeOutcome> out = new ArrayList<>(candidates.size());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ProbeOutcome>> futures = candidates.stream().map(c -> pool.submit(() -> probe(c))).toList();
            long deadline = System.nanoTime() + budget.multipliedBy(2).plusSeconds(1).toNanos();
            for (int i = 0; i < candidates.size(); i++) {
                out.add(await(futures.get(i), candidates.get(i), deadline));
            }
        }
        return out;
    }

    private ProbeOutcome await(Future<ProbeOutcome> f, Candidate c, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return down(c, budget, "no answer within " + budget.toMillis() + " ms (resolving the host may hang)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(c, Duration.ZERO, "interrupted");
        } catch (ExecutionException e) {
            return down(c, Duration.ZERO, "the probe failed: " + e.getCause());
        }
    }

    /** Probes one candidate. */
    public ProbeOutcome probe(Candidate c) {
        if (c.problem() != null) {
            return new ProbeOutcome(c.kind(), null, c.source(), ProbeOutcome.State.DOWN, Duration.ZERO, List.of(), null, c.problem());
        }
        if (isOwn(c)) {
            return new ProbeOutcome(c.kind(), c.url(), c.source(), ProbeOutcome.State.EXCLUDED, Duration.ZERO, List.of(), null,
                    "port " + c.endpoint().port() + " is this node's own API port, so what answers there is this node; run the "
                            + c.kind().wireName() + " server on another port and set " + c.kind().hostEnv());
        }
        HttpProbe.Result r = HttpProbe.get(c.endpoint(), c.kind().probePath(), budget);
        if (!r.ok()) {
            return down(c, r.latency(), r.failure());
        }
        try {
            if (c.kind() == EngineKind.OLLAMA) {
                List<ModelInfo> models = OllamaResponses.tags(r.body(), ollamaNumCtx);
                return new ProbeOutcome(c.kind(), c.url(), c.source(), ProbeOutcome.State.UP, r.latency(), models, EngineKind.OLLAMA, null);
            }
            if (isInfernetNode(r.body())) {
                return new ProbeOutcome(c.kind(), c.url(), c.source(), ProbeOutcome.State.EXCLUDED, r.latency(), List.of(), null,
                        "an Infernet node answers there (owned_by in-process), not a " + c.kind().wireName() + " server");
            }
            EngineKind answered = openAiServer(r.body(), c.kind());
            List<ModelInfo> models = OpenAiResponses.models(r.body(), answered.wireName());
            String remark = answered == c.kind() ? null
                    : "answers as a " + answered.wireName() + " server (owned_by), so it is served as one";
            return new ProbeOutcome(c.kind(), c.url(), c.source(), ProbeOutcome.State.UP, r.latency(), models, answered, remark);
        } catch (IllegalArgumentException e) {
            return down(c, r.latency(), "something answers " + c.kind().probePath() + " but not as a " + c.kind().wireName()
                    + " server would (" + e.getMessage() + ")");
        }
    }

    /** Whether the candidate is this node: on this machine, at one of its own ports. */
    boolean isOwn(Candidate c) {
        return ownPorts.contains(c.endpoint().port()) && c.endpoint().isLocal();
    }

    /** An Infernet node's own API lists its in-process models as {@code owned_by: "in-process"}, which no engine server does. */
    static boolean isInfernetNode(String body) {
        JsonNode first = Json.tryParse(body).map(n -> n.path("data").path(0)).orElse(null);
        return first != null && "in-process".equals(Json.text(first, "owned_by"));
    }

    /** vLLM lists models as {@code owned_by: "vllm"}, llama-server as {@code "llamacpp"}; anything else keeps the expected kind. */
    static EngineKind openAiServer(String body, EngineKind expected) {
        JsonNode first = Json.tryParse(body).map(n -> n.path("data").path(0)).orElse(null);
        String owner = first == null ? null : Json.text(first, "owned_by");
        if ("vllm".equals(owner)) {
            return EngineKind.VLLM;
        }
        if ("llamacpp".equals(owner)) {
            return EngineKind.LLAMACPP;
        }
        return expected;
    }

    private static ProbeOutcome down(Candidate c, Duration took, String why) {
        return new ProbeOutcome(c.kind(), c.url(), c.source(), ProbeOutcome.State.DOWN, took, List.of(), null, why);
    }
}
