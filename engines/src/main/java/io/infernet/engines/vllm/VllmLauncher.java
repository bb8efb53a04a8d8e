package io.infernet.engines.vllm;

import io.infernet.engines.remote.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs a {@link LaunchPlan}: checks first (the tools on PATH, the port free), then
 * {@code ray start} when this machine joins a Ray cluster, then {@code vllm serve}, and waits
 * until it answers {@code GET /v1/models}. Every failure is a {@link LaunchException} that says
 * what happened and what to do; nothing waits without a bound.
 */
public final class VllmLauncher {
    private static final Pattern RAY_STARTED = Pattern.compile("Ray runtime started");
    private static final Duration RAY_START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RAY_STOP_TIMEOUT = Duration.ofMinutes(1);

    private final Map<String, String> environment;
    private final Consumer<String> lines;
    private final Duration progressEvery;
    private final Duration stopGrace;

    /**
     * @param environment   the node's environment: PATH to find the tools, and the base of the
     *                      children's environments
     * @param lines         receives the children's log lines and progress lines (on their threads)
     * @param progressEvery how often to report while waiting for readiness
     * @param stopGrace     how long a stopping child gets after SIGTERM (vLLM frees GPU memory then)
     */
    public VllmLauncher(Map<String, String> environment, Consumer<String> lines, Duration progressEvery, Duration stopGrace) {
        this.environment = Map.copyOf(environment);
        this.lines = Objects.requireNonNull(lines, "lines");
        this.progressEvery = progressEvery;
        this.stopGrace = stopGrace;
    }

    public static VllmLauncher system(Consumer<String> lines) {
        return new VllmLauncher(System.getenv(), lines, Duration.ofSeconds(15), Duration.ofSeconds(30));
    }

    /** Checks that can fail before anything starts: the tools on PATH and the port. */
    public void preflight(LaunchPlan plan) {
        if (!plan.rayStart().isEmpty()) {
            Preflight.require("ray", environment, "install Ray (pip install 'ray[default]'), which multi-node vLLM needs");
        }
        if (!plan.serve().isEmpty()) {
            Preflight.require("vllm", environment, "install vLLM (pip install vllm) in the environment the node runs in, or add its bin folder to PATH");
            Preflight.requireFreePort(plan.config().host(), plan.config().port());
        }
    }

    /**
     * Starts the plan and waits until it is ready: vLLM answers {@code /v1/models}, or a Ray
     * worker has joined. On failure whatever was started is stopped again.
     *
     * @param readyTimeout how long loading the model may take (large models: many minutes)
     */
    public VllmProcess start(LaunchPlan plan, Duration readyTimeout) {
        preflight(plan);
        Map<String, String> env = plan.childEnvironment(environment);
        List<String> secrets = plan.config().apiKey() == null ? List.of() : List.of(plan.config().apiKey());
        boolean rayStarted = false;
        try {
            if (!plan.rayStart().isEmpty() && !plan.rayBlocks()) {
                runRayHead(plan, env, secrets);
                rayStarted = true;
            }
            if (plan.rayBlocks()) {
                ChildProcess worker = ChildProcess.start("ray worker", resolved(plan.rayStart(), "ray"), env, secrets, lines);
                worker.setShutdownGrace(stopGrace);
                try {
                    worker.awaitLine(RAY_STARTED, readyTimeout);
                } catch (LaunchException e) {
                    worker.stop(stopGrace);
                    rayStop(environment, lines);
                    throw e;
                }
                lines.accept("joined the Ray cluster at " + plan.ray().headAddress() + "; the head runs vllm serve");
                return new VllmProcess(worker, plan, null, environment, lines, stopGrace);
            }
            ChildProcess vllm = ChildProcess.start("vllm", resolved(plan.serve(), "vllm"), env, secrets, lines);
            vllm.setShutdownGrace(stopGrace);
            Endpoint endpoint = Endpoint.parse(connectHost(plan.config().host()) + ":" + plan.config().port(), plan.config().port(), plan.config().apiKey());
            try {
                vllm.awaitHttp(endpoint, "/v1/models", readyTimeout, progressEvery, lines);
            } catch (LaunchException e) {
                boolean wasRunning = vllm.isAlive();
                vllm.stop(stopGrace);
                throw wasRunning ? new LaunchException(e.getMessage() + "\n(the node stopped it)", e) : e;
            }
            lines.accept("vLLM serves " + plan.config().servedName() + " at " + endpoint.base());
            return new VllmProcess(vllm, plan, endpoint, environment, lines, stopGrace);
        } catch (RuntimeException e) {
            if (rayStarted) {
                rayStop(environment, lines);
            }
            throw e;
        }
    }

    private void runRayHead(LaunchPlan plan, Map<String, String> env, List<String> secrets) {
        ChildProcess ray = ChildProcess.start("ray head", resolved(plan.rayStart(), "ray"), env, secrets, lines);
        Optional<Integer> code = ray.awaitExit(RAY_START_TIMEOUT);
        if (code.isEmpty()) {
            ray.stop(Duration.ofSeconds(5));
            throw new LaunchException("'ray start --head' did not finish within " + RAY_START_TIMEOUT.toSeconds() + " s" + ray.explain());
        }
        if (code.get() != 0) {
            throw new LaunchException("'ray start --head' failed with exit code " + code.get() + ray.explain());
        }
        lines.accept("started the Ray head on port " + plan.ray().port() + "; workers join with INFERNET_RAY_MODE=worker INFERNET_RAY_HEAD=<this host>:"
                + plan.ray().port());
    }

    /** Runs {@code ray stop} (bounded); failures are reported as lines, never thrown. */
    static void rayStop(Map<String, String> environment, Consumer<String> lines) {
        Optional<Path> ray = Preflight.onPath("ray", environment);
        if (ray.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(VllmCommandLine.rayStop());
        cmd.set(0, ray.get().toString());
        try {
            ChildProcess stop = ChildProcess.start("ray stop", cmd, environment, List.of(), lines);
            if (stop.awaitExit(RAY_STOP_TIMEOUT).isEmpty()) {
                stop.stop(Duration.ofSeconds(5));
                lines.accept("'ray stop' did not finish within " + RAY_STOP_TIMEOUT.toSeconds() + " s");
            }
        } catch (LaunchException e) {
            lines.accept("could not run 'ray stop': " + e.getMessage());
        }
    }

    /** The command with its first element replaced by the executable found on PATH. */
    private List<String> resolved(List<String> command, String tool) {
        List<String> cmd = new ArrayList<>(command);
        cmd.set(0, Preflight.require(tool, environment, "install " + tool).toString());
        return cmd;
    }

    /** A wildcard listen address is reached through loopback. */
    static String connectHost(String host) {
        return switch (host) {
            case "0.0.0.0", "::", "[::]" -> "127.0.0.1";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    }
}
