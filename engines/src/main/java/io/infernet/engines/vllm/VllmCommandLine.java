package io.infernet.engines.vllm;

import java.util.ArrayList;
import java.util.List;

/** Builds the command lines of a {@link LaunchPlan}; pure, so they are tested as values. */
public final class VllmCommandLine {
    private VllmCommandLine() {}

    /** The plan for this machine: ray start (head or worker) as the Ray setting says, then vllm serve (not on a worker). */
    public static LaunchPlan plan(VllmConfig c, RayConfig ray, NcclFabrics ic) {
        List<EnvVar> env = new ArrayList<>(InterconnectEnvironment.of(ic, ray.multiNode(), c.gpus()));
        if (c.apiKey() != null) {
            env.add(new EnvVar("VLLM_API_KEY", c.apiKey(), "the key clients must send (kept off the command line)", true));
        }
        return switch (ray.mode()) {
            case NONE -> new LaunchPlan(List.of(), false, serve(c, false), env, c, ray);
            case HEAD -> new LaunchPlan(rayStart(ray), false, serve(c, true), env, c, ray);
            case WORKER -> new LaunchPlan(rayStart(ray), true, List.of(), env, c, ray);
        };
    }

    /**
     * {@code vllm serve <model> --tensor-parallel-size N --pipeline-parallel-size M --host H
     * --port P [--max-model-len L] --gpu-memory-utilization F --served-model-name NAME
     * [--distributed-executor-backend ray] [extra...]}.
     */
    public static List<String> serve(VllmConfig c, boolean rayCluster) {
        List<String> cmd = new ArrayList<>(List.of("vllm", "serve", c.model(),
                "--tensor-parallel-size", Integer.toString(c.tensorParallel()),
                "--pipeline-parallel-size", Integer.toString(c.pipelineParallel()),
                "--host", c.host(),
                "--port", Integer.toString(c.port())));
        if (c.maxModelLen() > 0) {
            cmd.add("--max-model-len");
            cmd.add(Integer.toString(c.maxModelLen()));
        }
        cmd.add("--gpu-memory-utilization");
        cmd.add(java.math.BigDecimal.valueOf(c.gpuMemoryUtilization()).stripTrailingZeros().toPlainString());
        cmd.add("--served-model-name");
        cmd.add(c.servedName());
        if (rayCluster) {
            cmd.add("--distributed-executor-backend");
            cmd.add("ray");
        }
        cmd.addAll(c.extraArgs());
        return cmd;
    }

    /** {@code ray start --head --port=P} on the head; {@code ray start --address=H:P --block} on a worker. */
    public static List<String> rayStart(RayConfig ray) {
        return switch (ray.mode()) {
            case HEAD -> List.of("ray", "start", "--head", "--port=" + ray.port());
            case WORKER -> List.of("ray", "start", "--address=" + ray.headAddress(), "--block");
            case NONE -> List.of();
        };
    }

    /** Stops the Ray daemons this machine started. */
    public static List<String> rayStop() {
        return List.of("ray", "stop");
    }
}
