package io.infernet.engines.select;

import io.infernet.engines.remote.Endpoint;
import java.util.Objects;

/**
 * A place a remote engine may listen.
 *
 * @param endpoint where, or null when {@link #problem} says why there is no usable URL
 * @param source   where the URL came from ({@code VLLM_HOST}, {@code default port}, {@code setting})
 * @param problem  why the configured URL is unusable, or null
 */
public record Candidate(EngineKind kind, Endpoint endpoint, String source, String problem) {
    public Candidate {
        Objects.requireNonNull(kind, "kind");
        if ((endpoint == null) == (problem == null)) {
            throw new IllegalArgumentException("a candidate has either an endpoint or a problem");
        }
    }

    public String url() {
        return endpoint == null ? null : endpoint.base().toString();
    }
}
