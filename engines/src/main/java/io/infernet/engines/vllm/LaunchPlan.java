package io.infernet.engines.vllm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link VllmLauncher} runs, as values: first {@code rayStart} (when this machine joins a
 * Ray cluster), then {@code serve}. A Ray worker has no {@code serve}: its {@code ray start
 * --block} is the long-running child. A Ray head's {@code ray start} (without {@code --block})
 * starts Ray's daemons and returns; {@code vllm serve} then finds the cluster.
 *
 * @param rayStart    the {@code ray start ...} command, or empty for none
 * @param rayBlocks   whether {@code rayStart} runs in the foreground for the node's lifetime (worker)
 * @param serve       the {@code vllm serve ...} command, or empty for a Ray worker
 * @param environment variables added to the child's environment, with their purposes
 * @param config      what was asked for
 */
public record LaunchPlan(List<String> rayStart, boolean rayBlocks, List<String> serve, List<EnvVar> environment, VllmConfig config,
                         RayConfig ray) {

    public LaunchPlan {
        rayStart = List.copyOf(rayStart);
        serve = List.copyOf(serve);
        environment = List.copyOf(environment);
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ray, "ray");
        if (rayStart.isEmpty() && serve.isEmpty()) {
            throw new IllegalArgumentException("a launch plan runs something");
        }
    }

    /**
     * The child's whole environment: the node's own, plus this plan's variables where the node's
     * environment does not set them already (an operator's NCCL_* or FI_* tuning wins).
     */
    public Map<String, String> childEnvironment(Map<String, String> parent) {
        Map<String, String> env = new LinkedHashMap<>(parent);
        for (EnvVar v : environment) {
            env.putIfAbsent(v.name(), v.value());
        }
        return env;
    }

    /** The variables this plan adds that {@code parent} does not already set: what a dry run shows. */
    public List<EnvVar> addedTo(Map<String, String> parent) {
        List<EnvVar> added = new ArrayList<>();
        for (EnvVar v : environment) {
            if (!parent.containsKey(v.name())) {
                added.add(v);
            }
        }
        return added;
    }

    /** The workload classes to advertise while this runs ({@link VllmConfig#workloadClasses()}); a Ray worker serves none itself. */
    public List<String> workloadClasses() {
        return serve.isEmpty() ? List.of() : config.workloadClasses();
    }
}
