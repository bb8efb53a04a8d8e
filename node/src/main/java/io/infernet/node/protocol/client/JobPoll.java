package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The answer to {@code jobs/poll}: the provider row id and the jobs assigned to this node.
 * {@code longPoll} is true when the control plane long-polls (it answered a poll that asked
 * for a wait with {@code long_poll: true}): the node may then poll again at once, and the
 * next poll returns as soon as a new job is assigned. The reference control plane never
 * says so; its nodes poll on a period.
 */
public record JobPoll(JsonNode providerId, List<PolledJob> jobs, boolean longPoll) {
    public JobPoll {
        jobs = List.copyOf(jobs);
    }
}
