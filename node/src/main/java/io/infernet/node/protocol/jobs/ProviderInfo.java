package io.infernet.node.protocol.jobs;

import java.util.Objects;

/**
 * Who runs the jobs, as the meta event and the completion name it.
 *
 * @param nodeId the node's {@code node_id} ({@code provider-xxxxxxxx}); also {@code completed_by}
 * @param name   the node's display name
 */
public record ProviderInfo(String nodeId, String name) {
    public ProviderInfo {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(name, "name");
    }
}
