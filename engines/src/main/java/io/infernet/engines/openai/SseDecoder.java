package io.infernet.engines.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;
import io.infernet.engines.remote.ErrorBody;
import io.infernet.engines.Json;
import io.infernet.engines.remote.StreamChunk;
import io.infernet.engines.remote.StreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an OpenAI-style server-sent-event stream of chat or text completion chunks.
 * Each {@code data:} line holds one JSON chunk (vLLM and llama-server never split one over
 * several lines); {@code data: [DONE]} ends the stream; comments ({@code :} pings), blank lines
 * and {@code event:}/{@code id:}/{@code retry:} lines carry nothing. A chunk with an
 * {@code error} object (how both servers report a failure after the headers) fails the stream.
 */
public final class SseDecoder implements StreamDecoder {

    private final boolean chat;

    /** @param chat chat chunks ({@code choices[0].delta.content}) or text ({@code choices[0].text}) */
    public SseDecoder(boolean chat) {
        this.chat = chat;
    }

    @Override
    public List<StreamChunk> decode(String line) {
        if (!line.startsWith("data:")) {
            return List.of();
        }
        String payload = line.substring(5).strip();
        if (payload.equals("[DONE]")) {
            return List.of(new StreamChunk.End());
        }
        JsonNode n = Json.tryParse(payload).orElseThrow(() -> new IllegalArgumentException("a data line that is not JSON"));
        if (!n.isObject()) {
            throw new IllegalArgumentException("a data line that is not a JSON object");
        }
        if (n.hasNonNull("error")) {
            return List.of(new StreamChunk.Failed(ErrorBody.parse(payload).message()));
        }
        List<StreamChunk> out = new ArrayList<>(3);
        JsonNode choices = n.get("choices");
        if (choices != null && choices.isArray() && !choices.isEmpty()) {
            JsonNode c = choices.get(0);
            JsonNode delta = c.get("delta");
            if (chat) {
                String reasoning = Json.text(delta, "reasoning_content");
                if (reasoning == null) {
                    reasoning = Json.text(delta, "reasoning"); // newer vLLM
                }
                if (reasoning != null && !reasoning.isEmpty()) {
                    out.add(new StreamChunk.Reasoning(reasoning));
                }
            }
            String text = chat ? Json.text(delta, "content") : Json.text(c, "text");
            if (text != null && !text.isEmpty()) {
                out.add(new StreamChunk.Text(text));
            }
            if (chat && delta != null && delta.path("tool_calls").isArray()) {
                int i = 0;
                for (JsonNode call : delta.get("tool_calls")) {
                    JsonNode fn = call.path("function");
                    out.add(new StreamChunk.ToolCallPiece(call.path("index").asInt(i), Json.text(call, "id"), Json.text(fn, "name"),
                            Json.text(fn, "arguments")));
                    i++;
                }
            }
            String reason = Json.text(c, "finish_reason");
            if (reason != null) {
                out.add(finish(reason));
            }
        }
        usage(n).ifPresent(u -> out.add(new StreamChunk.Counts(u)));
        return out;
    }

    /**
     * vLLM and llama-server: stop (end of generation or a stop string), length (max_tokens or
     * the context), abort (vLLM: the server dropped the request) and the tool and filter reasons,
     * which end a text generation as a stop does.
     */
    static StreamChunk finish(String reason) {
        return switch (reason) {
            case "length" -> new StreamChunk.Finish(FinishReason.LENGTH);
            case "tool_calls" -> new StreamChunk.Finish(FinishReason.TOOL_CALLS);
            case "abort" -> new StreamChunk.Failed("the server aborted the generation (finish_reason abort)");
            default -> new StreamChunk.Finish(FinishReason.STOP);
        };
    }

    static java.util.Optional<Usage> usage(JsonNode n) {
        JsonNode u = n.get("usage");
        if (u == null || !u.isObject()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Usage(u.path("prompt_tokens").asInt(0), u.path("completion_tokens").asInt(0)));
    }
}
