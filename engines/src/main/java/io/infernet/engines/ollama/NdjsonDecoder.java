package io.infernet.engines.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;
import io.infernet.engines.Json;
import io.infernet.engines.remote.StreamChunk;
import io.infernet.engines.remote.StreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes Ollama's streamed answers: one JSON object per line. {@code /api/chat} lines carry
 * {@code message.content} (and {@code message.thinking}, {@code message.tool_calls}), {@code /api/generate} lines {@code response}; the last line has
 * {@code "done": true}, {@code done_reason} ({@code stop} or {@code length}), and the counts
 * {@code prompt_eval_count} and {@code eval_count}. A line {@code {"error": "..."}} fails the stream.
 */
public final class NdjsonDecoder implements StreamDecoder {

    private final boolean chat;
    /** Tool calls seen so far in this stream (their index when Ollama sends none). */
    private int calls;

    public NdjsonDecoder(boolean chat) {
        this.chat = chat;
    }

    @Override
    public List<StreamChunk> decode(String line) {
        if (line.isBlank()) {
            return List.of();
        }
        JsonNode n = Json.tryParse(line).filter(JsonNode::isObject)
                .orElseThrow(() -> new IllegalArgumentException("a line that is not a JSON object"));
        if (n.hasNonNull("error")) {
            JsonNode e = n.get("error");
            return List.of(new StreamChunk.Failed(e.isTextual() ? e.asText() : Json.write(e)));
        }
        List<StreamChunk> out = new ArrayList<>(4);
        JsonNode message = n.get("message");
        if (chat) {
            String thinking = Json.text(message, "thinking");
            if (thinking != null && !thinking.isEmpty()) {
                out.add(new StreamChunk.Reasoning(thinking));
            }
        }
        String text = chat ? Json.text(message, "content") : Json.text(n, "response");
        if (text != null && !text.isEmpty()) {
            out.add(new StreamChunk.Text(text));
        }
        if (chat && message != null && message.path("tool_calls").isArray()) {
            // Ollama sends each call whole, arguments as an object; it numbers them only in newer releases
            for (JsonNode call : message.get("tool_calls")) {
                JsonNode fn = call.path("function");
                JsonNode args = fn.get("arguments");
                out.add(new StreamChunk.ToolCallPiece(fn.path("index").asInt(calls), Json.text(call, "id"), Json.text(fn, "name"),
                        args == null ? "{}" : args.isTextual() ? args.textValue() : Json.compact(args)));
                calls++;
            }
        }
        if (n.path("done").asBoolean(false)) {
            out.add(new StreamChunk.Finish("length".equals(Json.text(n, "done_reason")) ? FinishReason.LENGTH : FinishReason.STOP));
            if (n.has("prompt_eval_count") || n.has("eval_count")) {
                out.add(new StreamChunk.Counts(new Usage(n.path("prompt_eval_count").asInt(0), n.path("eval_count").asInt(0))));
            }
            out.add(new StreamChunk.End());
        }
        return out;
    }
}
