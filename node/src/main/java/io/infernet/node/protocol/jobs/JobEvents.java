package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ToolCall;
import java.util.List;
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

    /**
     * @param usage the engine's token counts, or null; sent as {@code usage {prompt_tokens,
     *              completion_tokens}} (an addition: the reference's node sends none, and its
     *              control plane stores the data as it comes)
     */
    static ObjectNode done(String text, String reason, Instant finishedAt, io.infernet.engines.Usage usage) {
        ObjectNode d = Json.object().put("text", text).put("reason", reason).put("finished_at", iso(finishedAt));
        if (usage != null) {
            d.putObject("usage").put("prompt_tokens", usage.promptTokens()).put("completion_tokens", usage.completionTokens());
        }
        return event("done", d);
    }

    /**
     * {@code done} of a chat: {@code text} is the answer's content; when the model reasoned or
     * called tools, {@code reasoning_content} and {@code tool_calls} (OpenAI's shape, arguments as
     * a JSON string) follow, and {@code reason} may be {@code tool_calls}.
     */
    static ObjectNode done(ParsedMessage m, String reason, Instant finishedAt, io.infernet.engines.Usage usage) {
        ObjectNode e = done(m.content(), reason, finishedAt, usage);
        extras((ObjectNode) e.get("data"), m);
        return e;
    }

    /** The content text of a token event's deltas (reasoning and tool-call pieces are reported whole at the end). */
    static String content(List<ChatDelta> deltas) {
        StringBuilder s = new StringBuilder();
        for (ChatDelta d : deltas) {
            if (d instanceof ChatDelta.Content c) {
                s.append(c.text());
            }
        }
        return s.toString();
    }

    static ObjectNode completed(ParsedMessage m, int tokenCount, long durationMs, String completedBy) {
        ObjectNode body = completed(m.content(), tokenCount, durationMs, completedBy);
        extras((ObjectNode) body.get("result"), m);
        return body;
    }

    private static void extras(ObjectNode o, ParsedMessage m) {
        if (!m.reasoningContent().isEmpty()) {
            o.put("reasoning_content", m.reasoningContent());
        }
        if (m.hasToolCalls()) {
            ArrayNode calls = o.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
            }
        }
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

    static ObjectNode failed(String error) {
        return Json.object().put("status", "failed").put("error", error);
    }

    private static ObjectNode event(String type, ObjectNode data) {
        ObjectNode e = Json.object().put("event_type", type);
        e.set("data", data);
        return e;
    }
}
