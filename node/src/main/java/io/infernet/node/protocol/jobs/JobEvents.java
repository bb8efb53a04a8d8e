package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.Json;
import java.time.Instant;

/** The job event and completion bodies of the wire ({@code {event_type, data}}; complete bodies). */
final class JobEvents {

    private JobEvents() {}

    static String iso(Instant t) {
        return Json.timestamp(t);
    }

    static ObjectNode meta(String providerNodeId, String providerName, String model, Instant startedAt, String engine) {
        ObjectNode d = Json.object()
                .put("provider_node_id", providerNodeId)
                .put("provider_name", providerName)
                .put("model", model)
                .put("started_at", iso(startedAt))
                .put("engine", engine);
        return event("meta", d);
    }

    static ObjectNode token(String text) {
        return event("token", Json.object().put("text", text));
    }

    static ObjectNode done(String text, String reason, Instant finishedAt) {
        return event("done", Json.object().put("text", text).put("reason", reason).put("finished_at", iso(finishedAt)));
    }

    static ObjectNode error(String message) {
        return event("error", Json.object().put("message", message));
    }

    static ObjectNode completed(String text, int tokenCount, long durationMs, String completedBy) {
        ObjectNode body = Json.object().put("status", "completed");
        body.putObject("result")
                .put("type", "chat")
                .put("text", text)
                .put("token_count", tokenCount)
                .put("duration_ms", durationMs)
                .put("completed_by", completedBy);
        return body;
    }

    /** The reference node's completion of a job type it does not run: {@code result {stub: true, completed_by}}. */
    static ObjectNode stub(String completedBy) {
        ObjectNode body = Json.object().put("status", "completed");
        body.putObject("result").put("stub", true).put("completed_by", completedBy);
        return body;
    }

    static ObjectNode failed(String error) {
        return Json.object().put("status", "failed").put("error", error);
    }

    private static ObjectNode event(String type, ObjectNode data) {
        ObjectNode e = Json.object().put("event_type", type);
        e.set("data", data);
        return e;
    }
}
