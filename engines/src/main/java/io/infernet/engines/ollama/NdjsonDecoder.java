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
 * {@code message.content}, {@code /api/generate} lines {@code response}; the last line has
 * {@code "done": true}, {@code done_reason} ({@code stop} or {@code length}), and the counts
 * {@code prompt_eval_count} and {@code eval_count}. A line {@code {"error": "..."}} fails the stream.
 */
public final class NdjsonDecoder implements StreamDecoder {

    private final boolean chat;

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
        String text = chat ? Json.text(n.get("message"), "content") : Json.text(n, "response");
        if (text != null && !text.isEmpty()) {
            out.add(new StreamChunk.Text(text));
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
