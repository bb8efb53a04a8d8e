package io.infernet.node.protocol.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Engine;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Json;
import io.infernet.node.protocol.jobs.BenchWindow;
import io.infernet.node.protocol.jobs.JobRunner;
import java.time.Clock;
import java.time.Instant;

/**
 * Builds the register and heartbeat bodies: role, identity, advertised address (unless
 * --no-advertise) and the full {@code specs} (the provider's hardware and load plus
 * served_models, active jobs, concurrency cap, measured_at, bench and workload_classes).
 */
public final class NodeBodies {

    private static final System.Logger LOG = System.getLogger("infernet.protocol.daemon");

    private final DaemonSettings settings;
    private final SpecsProvider hardware;
    private final Engine engine;
    private final JobRunner jobs;
    private final BenchWindow bench;
    private final Clock clock;

    /** @param engine null for a node without an engine (registers with no served models) */
    public NodeBodies(DaemonSettings settings, SpecsProvider hardware, Engine engine, JobRunner jobs, BenchWindow bench, Clock clock) {
        this.settings = settings;
        this.hardware = hardware;
        this.engine = engine;
        this.jobs = jobs;
        this.bench = bench;
        this.clock = clock;
    }

    public ObjectNode register() {
        ObjectNode b = Json.object()
                .put("role", settings.role())
                .put("node_id", settings.provider().nodeId())
                .put("name", settings.provider().name());
        advertise(b);
        if (settings.role().equals("provider")) {
            // as apps/cli/commands/register.js: gpu_model from the option, else the first GPU; price when given
            ObjectNode specs = specs();
            JsonNode firstGpu = specs.path("gpus").path(0).get("model");
            if (settings.gpuModel() != null) {
                b.put("gpu_model", settings.gpuModel());
            } else if (firstGpu != null && firstGpu.isTextual()) {
                b.put("gpu_model", firstGpu.asText());
            }
            if (settings.price() != null) {
                b.put("price", settings.price());
            }
            b.set("specs", specs);
        }
        return b;
    }

    /** @param status "available", or "offline" for the last heartbeat */
    public ObjectNode heartbeat(String status) {
        ObjectNode b = Json.object().put("role", settings.role()).put("status", status);
        advertise(b);
        if (settings.role().equals("provider")) {
            b.set("specs", specs());
        }
        return b;
    }

    public ObjectNode specs() {
        ObjectNode s = hardware.hardware().deepCopy();
        s.set("served_models", servedModels());
        ObjectNode load = Json.object();
        load.put("active_jobs", jobs == null ? 0 : jobs.activeJobs());
        load.put("concurrency_cap", settings.concurrencyCap());
        ObjectNode measured = hardware.load();
        for (String f : new String[] {"load_avg_1m", "ram", "vram", "gpu_utilization_max"}) {
            load.set(f, measured.has(f) ? measured.get(f) : Json.MAPPER.getNodeFactory().nullNode());
        }
        Instant now = clock.instant();
        load.put("measured_at", Json.timestamp(now));
        s.set("load", load);
        BenchWindow.Snapshot b = bench.snapshot(now);
        ObjectNode bn = s.putObject("bench");
        if (b.tokensPerSecondAvg() == null) {
            bn.putNull("tokens_per_second_avg");
        } else {
            bn.put("tokens_per_second_avg", b.tokensPerSecondAvg());
        }
        bn.put("samples", b.samples());
        if (b.windowStartedAt() == null) {
            bn.putNull("window_started_at");
        } else {
            bn.put("window_started_at", Json.timestamp(b.windowStartedAt()));
        }
        // job types this node runs: chat (every node), embed (this project's, for batch jobs)
        s.putArray("job_types").add("chat").add("embed");
        ArrayNode wc = s.putArray("workload_classes");
        settings.workloadClasses().forEach(wc::add);
        return s;
    }

    private ArrayNode servedModels() {
        ArrayNode a = Json.array();
        if (engine == null) {
            return a;
        }
        try {
            for (ModelInfo m : engine.models()) {
                a.add(m.id());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the engine could not list its models: {0}", e.getMessage());
        }
        return a;
    }

    private void advertise(ObjectNode b) {
        if (!settings.advertise()) {
            return;
        }
        if (settings.address() != null) {
            b.put("address", settings.address());
        }
        if (settings.port() != null) {
            b.put("port", settings.port());
        }
    }
}
