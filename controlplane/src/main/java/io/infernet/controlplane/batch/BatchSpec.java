package io.infernet.controlplane.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.http.ApiError;
import io.infernet.engines.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A batch submission (IPIP-0013), validated: {@code kind} embed (N documents), chat (complete
 * N prompts: strings or {@code {messages}}) or classify (N texts into {@code options.labels});
 * {@code model}; {@code items}; options {@code chunk_size} (embed 32, else 8),
 * {@code max_concurrency} (chunks in flight, 32), {@code max_attempts} (3),
 * {@code max_tokens}, {@code temperature}, {@code labels}.
 */
record BatchSpec(String kind, String model, ArrayNode items, int chunkSize, int maxConcurrency, int maxAttempts,
                 ObjectNode options) {

    static final Set<String> KINDS = Set.of("embed", "chat", "classify");
    static final int MAX_ITEMS = 100_000;

    static BatchSpec parse(JsonNode b) {
        if (b == null || !b.isObject()) {
            throw ApiError.badRequest("the body must be a JSON object with kind, model and items");
        }
        String kind = b.path("kind").asText("");
        if (!KINDS.contains(kind)) {
            throw ApiError.badRequest("kind must be one of embed, chat, classify (got '" + kind + "')");
        }
        String model = b.path("model").isTextual() ? b.get("model").asText() : "";
        if (model.isBlank()) {
            throw ApiError.badRequest("model is required (a model name a provider serves, as in /v1/models)");
        }
        JsonNode items = b.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw ApiError.badRequest("items must be an array of length >= 1");
        }
        if (items.size() > MAX_ITEMS) {
            throw ApiError.badRequest("at most " + MAX_ITEMS + " items per batch");
        }
        for (int i = 0; i < items.size(); i++) {
            JsonNode it = items.get(i);
            boolean ok = it.isTextual() || (kind.equals("chat") && it.isObject() && it.path("messages").isArray() && !it.get("messages").isEmpty());
            if (!ok) {
                throw ApiError.badRequest("items[" + i + "] must be a string" + (kind.equals("chat") ? " or {messages: [...]}" : ""));
            }
        }
        ObjectNode options = b.path("options").isObject() ? (ObjectNode) b.get("options").deepCopy() : Json.object();
        if (kind.equals("classify")) {
            JsonNode labels = options.get("labels");
            if (labels == null || !labels.isArray() || labels.size() < 2) {
                throw ApiError.badRequest("classify needs options.labels, an array of at least 2 strings");
            }
            labels.forEach(l -> {
                if (!l.isTextual() || l.asText().isBlank()) {
                    throw ApiError.badRequest("options.labels must hold non-empty strings");
                }
            });
        }
        int chunk = intOption(options, "chunk_size", kind.equals("embed") ? 32 : 8, 1, 1000);
        int conc = intOption(options, "max_concurrency", 32, 1, 1000);
        int attempts = intOption(options, "max_attempts", 3, 1, 10);
        return new BatchSpec(kind, model, (ArrayNode) items, chunk, conc, attempts, options);
    }

    private static int intOption(ObjectNode o, String name, int dflt, int min, int max) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw ApiError.badRequest("options." + name + " must be an integer in " + min + ".." + max);
        }
        return v.intValue();
    }

    /** The chunks' payloads: {@code {items: [{index, input}]}}. */
    List<ObjectNode> chunks() {
        List<ObjectNode> out = new ArrayList<>();
        for (int start = 0; start < items.size(); start += chunkSize) {
            ObjectNode payload = Json.object();
            ArrayNode a = payload.putArray("items");
            for (int i = start; i < Math.min(items.size(), start + chunkSize); i++) {
                a.addObject().put("index", i).set("input", items.get(i));
            }
            out.add(payload);
        }
        return out;
    }
}
