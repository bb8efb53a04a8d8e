package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import java.util.Objects;

/** One owner-issued command from {@code commands/poll} (already claimed: now running). */
public record PolledCommand(String id, String command, JsonNode args) {

    public PolledCommand {
        Objects.requireNonNull(id, "id");
        args = args == null || args.isNull() ? Json.object() : args;
    }

    static PolledCommand from(JsonNode c) {
        String id = c.hasNonNull("id") ? c.get("id").asText() : null;
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a polled command has no id");
        }
        return new PolledCommand(id, Json.text(c, "command"), c.get("args"));
    }
}
