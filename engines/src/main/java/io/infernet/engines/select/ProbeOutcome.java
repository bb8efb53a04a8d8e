package io.infernet.engines.select;

import io.infernet.engines.ModelInfo;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one probe found.
 *
 * @param kind     the engine looked for
 * @param url      where (no key)
 * @param source   where the URL came from: the environment variable, {@code default port},
 *                 {@code setting}
 * @param state    up, down, or excluded (not asked)
 * @param latency  how long the probe took (zero when excluded)
 * @param models   what it serves, when up
 * @param answeredAs when up, the kind of server that answered: llama-server and vLLM both answer
 *                 {@code /v1/models} and tell themselves apart by {@code owned_by}, so a
 *                 llama-server on vLLM's port is served as a llama.cpp server; null otherwise
 * @param reason   why it is down or excluded, or a remark when up; null when there is nothing to say
 */
public record ProbeOutcome(EngineKind kind, String url, String source, State state, Duration latency, List<ModelInfo> models,
                           EngineKind answeredAs, String reason) {

    public enum State { UP, DOWN, EXCLUDED }

    public ProbeOutcome {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(state, "state");
        models = List.copyOf(models);
    }

    public boolean up() {
        return state == State.UP;
    }
}
