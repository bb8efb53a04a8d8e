package io.infernet.engines.vllm;

import io.infernet.engines.remote.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A running vLLM server (or, on a Ray worker, this machine's {@code ray start --block}), owned by
 * the node: {@link #close()} stops it, and then Ray's daemons if this launch started them.
 */
public final class VllmProcess implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VllmProcess.class.getName());

    private final ChildProcess child;
    private final LaunchPlan plan;
    private final Endpoint endpoint;
    private final Map<String, String> environment;
    private final Consumer<String> lines;
    private final Duration grace;
    private volatile boolean closed;

    VllmProcess(ChildProcess child, LaunchPlan plan, Endpoint endpoint, Map<String, String> environment, Consumer<String> lines, Duration grace) {
        this.child = child;
        this.plan = plan;
        this.endpoint = endpoint;
        this.environment = environment;
        this.lines = lines;
        this.grace = grace;
    }

    /** Where vLLM answers (with the API key, if any); empty on a Ray worker. */
    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public LaunchPlan plan() {
        return plan;
    }

    /** For the heartbeat: {@code ["A","B"]} when the model spans several GPUs, {@code ["A"]} for one, none on a Ray worker. */
    public List<String> workloadClasses() {
        return plan.workloadClasses();
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    /** Completes with the exit code; an exit the node did not ask for is worth a log line and a health "down". */
    public CompletableFuture<Integer> onExit() {
        return child.onExit();
    }

    public List<String> lastLines() {
        return child.lastLines();
    }

    /** The known failure its log showed (out of memory, KV cache, no GPU ...), if any. */
    public Optional<String> diagnosis() {
        return child.diagnosis();
    }

    /** Stops the process (SIGTERM, SIGKILL after the grace period), then {@code ray stop} if this launch started Ray. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        child.stop(grace);
        if (!plan.rayStart().isEmpty()) {
            VllmLauncher.rayStop(environment, lines);
        }
        LOG.log(System.Logger.Level.INFO, "stopped {0}", child.name());
    }
}
