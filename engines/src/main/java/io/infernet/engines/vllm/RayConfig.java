package io.infernet.engines.vllm;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * This machine's part in a multi-node Ray cluster, from {@code INFERNET_RAY_MODE}
 * ({@code head}, {@code worker}, or unset for none), {@code INFERNET_RAY_HEAD} (the head's
 * {@code host:port}, for workers) and {@code INFERNET_RAY_PORT} (the head's port, default 6379).
 * One machine with several GPUs needs none of this: vLLM starts Ray itself when it needs it.
 *
 * @param mode        none, head or worker
 * @param headAddress for a worker, the head's {@code host:port}; otherwise null
 * @param port        for a head, the port it listens on
 */
public record RayConfig(Mode mode, String headAddress, int port) {

    public static final int DEFAULT_PORT = 6379;
    public static final RayConfig NONE = new RayConfig(Mode.NONE, null, DEFAULT_PORT);

    public enum Mode { NONE, HEAD, WORKER }

    public RayConfig {
        Objects.requireNonNull(mode, "mode");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("INFERNET_RAY_PORT must be in 1..65535, got " + port);
        }
        if (mode == Mode.WORKER) {
            if (headAddress == null || headAddress.isBlank()) {
                throw new IllegalArgumentException("INFERNET_RAY_MODE=worker needs INFERNET_RAY_HEAD=host:port (the head's address)");
            }
            headAddress = headAddress.strip();
            if (!headAddress.matches("[^\\s:]+:\\d{1,5}")) {
                throw new IllegalArgumentException("INFERNET_RAY_HEAD must be host:port, got '" + headAddress + "'");
            }
        } else {
            headAddress = null;
        }
    }

    /** Reads the three variables; unset mode means none. */
    public static RayConfig fromEnv(Map<String, String> env) {
        String m = env.getOrDefault("INFERNET_RAY_MODE", "").strip().toLowerCase(Locale.ROOT);
        int port = DEFAULT_PORT;
        String p = env.get("INFERNET_RAY_PORT");
        if (p != null && !p.isBlank()) {
            try {
                port = Integer.parseInt(p.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("INFERNET_RAY_PORT must be a port number, got '" + p + "'");
            }
        }
        Mode mode = switch (m) {
            case "", "none", "off" -> Mode.NONE;
            case "head" -> Mode.HEAD;
            case "worker" -> Mode.WORKER;
            default -> throw new IllegalArgumentException("INFERNET_RAY_MODE must be head or worker (or unset), got '" + m + "'");
        };
        String head = env.get("INFERNET_RAY_HEAD");
        if (mode == Mode.WORKER && head != null && !head.isBlank() && !head.contains(":")) {
            head = head.strip() + ":" + port; // a bare host: the head's port is INFERNET_RAY_PORT
        }
        return new RayConfig(mode, head, port);
    }

    public boolean multiNode() {
        return mode != Mode.NONE;
    }
}
