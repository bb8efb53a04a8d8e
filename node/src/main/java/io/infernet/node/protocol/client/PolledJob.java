package io.infernet.node.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import java.util.Objects;

/**
 * One job from {@code jobs/poll}. {@code modelName} null means the node's default model;
 * {@code inputSpec} is the job's input as sent (for chat: messages, max_tokens, temperature).
 */
public record PolledJob(String id, String title, String type, String status, JsonNode paymentOffer,
                        String paymentCoin, String modelName, JsonNode inputSpec, String createdAt) {

    public PolledJob {
        Objects.requireNonNull(id, "id");
    }

    static PolledJob from(JsonNode j) {
        String id = j.hasNonNull("id") ? j.get("id").asText() : null;
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a polled job has no id");
        }
        return new PolledJob(id, Json.text(j, "title"), Json.text(j, "type"), Json.text(j, "status"),
                j.get("payment_offer"), Json.text(j, "payment_coin"), Json.text(j, "model_name"),
                j.get("input_spec"), Json.text(j, "created_at"));
    }
}
