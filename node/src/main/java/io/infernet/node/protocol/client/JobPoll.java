package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The answer to {@code jobs/poll}: the provider row id and the jobs assigned to this node. */
public record JobPoll(JsonNode providerId, List<PolledJob> jobs) {
    public JobPoll {
        jobs = List.copyOf(jobs);
    }
}
