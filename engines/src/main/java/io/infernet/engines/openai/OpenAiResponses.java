package io.infernet.engines.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ParserOptions;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.Embeddings;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.ModelInfo;
import io.infernet.engines.Usage;
import io.infernet.engines.Json;
import io.infernet.engines.remote.StreamChunk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads the non-streamed answers of OpenAI-compatible servers. Unreadable answers throw IllegalArgumentException. */
public final class OpenAiResponses {
    private OpenAiResponses() {}

    /**
     * {@code GET /v1/models}: {@code data[].id}; the context length is vLLM's
     * {@code max_model_len} or llama-server's {@code meta.n_ctx} (per slot, what it serves;
     * not {@code n_ctx_train}), else 0.
     */
    public static List<ModelInfo> models(String body, String kind) {
        JsonNode data = Json.parseObject(body).get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("a model list without a data array");
        }
        List<ModelInfo> out = new ArrayList<>();
        for (JsonNode m : data) {
            String id = Json.text(m, "id");
            if (id != null) {
                int ctx = m.path("max_model_len").asInt(m.path("meta").path("n_ctx").asInt(0));
                out.add(new ModelInfo(id, kind, ctx, false));
            }
        }
        return out;
    }

    /** {@code POST /v1/embeddings}: one vector per input, put back in input order by {@code index}. */
    public static Embeddings embeddings(String body, int inputs) {
        JsonNode root = Json.parseObject(body);
        JsonNode data = root.get("data");
        if (data == null || !data.isArray() || data.size() != inputs) {
            throw new IllegalArgumentException("expected " + inputs + " embeddings in data[], got "
                    + (data == null || !data.isArray() ? "none" : data.size()));
        }
        float[][] out = new float[inputs][];
        for (int i = 0; i < data.size(); i++) {
            JsonNode d = data.get(i);
            int index = d.path("index").asInt(i);
            JsonNode v = d.get("embedding");
            if (index < 0 || index >= inputs || out[index] != null || v == null || !v.isArray()) {
                throw new IllegalArgumentException("embedding " + i + " has a bad index or no vector");
            }
            out[index] = Json.floats(v);
        }
        return new Embeddings(List.of(out), root.path("usage").path("prompt_tokens").asInt(-1));
    }

    /** A non-streamed chat or text completion, as the {@code Done} event a stream would have ended with (every choice, by index). */
    public static GenerationEvent completion(String body, boolean chat) {
        JsonNode n = Json.parseObject(body);
        JsonNode choices = n.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new IllegalArgumentException("a completion without choices");
        }
        List<GenerationEvent.Choice> out = new ArrayList<>();
        for (JsonNode c : choices) {
            String text = chat ? Json.text(c.get("message"), "content") : Json.text(c, "text");
            String reason = Json.text(c, "finish_reason");
            StreamChunk finish = SseDecoder.finish(reason == null ? "stop" : reason);
            if (finish instanceof StreamChunk.Failed f) {
                return new GenerationEvent.Error(f.message(), Instant.now());
            }
            FinishReason why = ((StreamChunk.Finish) finish).reason();
            String content = text == null ? "" : text;
            if (!chat) {
                out.add(new GenerationEvent.Choice(c.path("index").asInt(out.size()), why, content));
                continue;
            }
            ParsedMessage message = message(c.get("message"), content);
            if (why == FinishReason.STOP && message.hasToolCalls()) {
                why = FinishReason.TOOL_CALLS;
            }
            out.add(new GenerationEvent.Choice(c.path("index").asInt(out.size()), why, content, message));
        }
        out.sort(java.util.Comparator.comparingInt(GenerationEvent.Choice::index));
        Usage usage = SseDecoder.usage(n).orElse(new Usage(0, 0));
        return new GenerationEvent.Done(usage, Instant.now(), out);
    }

    /** A choice's {@code message}: its content, {@code reasoning_content} and {@code tool_calls} (ids made where the server sent none). */
    private static ParsedMessage message(JsonNode m, String content) {
        String reasoning = Json.text(m, "reasoning_content");
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : m == null ? Json.array() : m.path("tool_calls")) {
            JsonNode fn = call.path("function");
            String name = Json.text(fn, "name");
            if (name != null) {
                String id = Json.text(call, "id");
                JsonNode args = fn.get("arguments");
                calls.add(new ToolCall(id == null ? ParserOptions.randomCallId() : id, name,
                        args == null ? "{}" : args.isTextual() ? args.textValue() : Json.compact(args)));
            }
        }
        return new ParsedMessage(content, reasoning == null ? "" : reasoning, calls);
    }
}
