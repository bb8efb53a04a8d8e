package io.infernet.engines.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.EngineException;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Json;
import io.infernet.kernels.SamplingParams;
import java.util.List;

/**
 * The JSON bodies of Ollama's API. Sampling goes into {@code options}, every field always set
 * (Ollama's own defaults, such as top_k 40 and top_p 0.9, would otherwise apply):
 * <pre>
 * SamplingParams      options field
 * temperature         temperature
 * topK (0 = off)      top_k
 * topP                top_p
 * minP                min_p
 * repeatPenalty       repeat_penalty
 * penaltyLastN        repeat_last_n (-1 = the whole context, as Ollama reads it)
 * presencePenalty     presence_penalty
 * frequencyPenalty    frequency_penalty
 * seed                seed
 * logitBias           none: Ollama has no logit bias, so a request with one is refused
 * maxTokens           num_predict
 * stop                stop
 * </pre>
 * plus {@code num_ctx} and {@code num_thread} from {@link OllamaOptions}, always. Decoding options:
 * {@code response_format} json_object becomes {@code format: "json"}, json_schema becomes
 * {@code format: <the schema>}; several choices and log-probabilities are refused (Ollama's API has
 * one choice per request and no log-probabilities this client reads).
 */
public final class OllamaRequests {
    private OllamaRequests() {}

    /**
     * {@code POST /api/chat} (chat) or {@code POST /api/generate} with {@code raw: true} (a raw
     * prompt, no template), streaming NDJSON.
     *
     * @throws EngineException UNSUPPORTED for a logit bias, which Ollama cannot apply
     */
    public static ObjectNode generation(String model, GenerationRequest r, OllamaOptions o) {
        if (!r.sampling().logitBias().isEmpty()) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED,
                    "Ollama has no logit_bias; send the request without it or use another engine", "logit_bias");
        }
        if (r.decoding().n() > 1) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED,
                    "Ollama generates one choice per request; send n = 1 (or several requests), or use another engine", "n");
        }
        if (r.decoding().logprobs()) {
            throw new EngineException(EngineException.Kind.UNSUPPORTED,
                    "log-probabilities are not available through the Ollama engine; send the request without logprobs or use another engine",
                    "logprobs");
        }
        ObjectNode b = Json.object();
        b.put("model", model);
        switch (r.decoding().format()) {
            case DecodingOptions.Text t -> { }
            case DecodingOptions.JsonObject j -> b.put("format", "json");
            case DecodingOptions.JsonSchema s -> b.set("format", Json.tryParse(s.schema())
                    .orElseThrow(() -> new EngineException(EngineException.Kind.INVALID_REQUEST, "the JSON schema is not JSON", "response_format")));
        }
        if (r.isChat()) {
            b.set("messages", messages(r.messages()));
            ChatOptions chat = r.chat();
            ChatOptions.ToolChoice.Mode mode = chat.toolChoice().mode();
            if (!chat.tools().isEmpty() && (mode == ChatOptions.ToolChoice.Mode.REQUIRED || mode == ChatOptions.ToolChoice.Mode.FUNCTION)) {
                throw new EngineException(EngineException.Kind.UNSUPPORTED,
                        "Ollama has no tool_choice: it cannot be made to call a tool; send tool_choice 'auto' or use another engine", "tool_choice");
            }
            if (chat.parseToolCalls()) {
                b.set("tools", chat.toolsJson());
            }
            JsonNode thinking = chat.templateKwargs().get("enable_thinking");
            if (thinking != null && thinking.isBoolean()) {
                b.put("think", thinking.booleanValue());
            }
        } else {
            b.put("prompt", r.prompt());
            b.put("raw", true);
        }
        b.put("stream", true);
        keepAlive(b, o);
        ObjectNode opt = machine(b.putObject("options"), o);
        SamplingParams s = r.sampling();
        opt.put("temperature", s.temperature());
        opt.put("top_k", s.topK());
        opt.put("top_p", s.topP());
        opt.put("min_p", s.minP());
        opt.put("seed", s.seed());
        opt.put("repeat_penalty", s.repeatPenalty());
        opt.put("repeat_last_n", s.penaltyLastN());
        opt.put("presence_penalty", s.presencePenalty());
        opt.put("frequency_penalty", s.frequencyPenalty());
        opt.put("num_predict", r.maxTokens());
        if (!r.stop().isEmpty()) {
            ArrayNode stop = opt.putArray("stop");
            r.stop().forEach(stop::add);
        }
        return b;
    }

    /**
     * Messages as Ollama's {@code /api/chat} reads them: text content; an assistant's
     * {@code tool_calls} as {@code {function: {name, arguments}}} with the arguments as an object;
     * a tool result's {@code tool_name} (the name of the call it answers, found by its id).
     */
    static ArrayNode messages(List<ChatMessage> messages) {
        java.util.Map<String, String> callNames = new java.util.HashMap<>();
        ArrayNode msgs = Json.array();
        for (ChatMessage m : messages) {
            ObjectNode o = msgs.addObject().put("role", m.role()).put("content", m.content());
            if (m.reasoningContent() != null) {
                o.put("thinking", m.reasoningContent());
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = o.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    callNames.put(c.id(), c.name());
                    ObjectNode fn = calls.addObject().putObject("function");
                    fn.put("name", c.name());
                    fn.set("arguments", Json.tryParse(c.argumentsJson()).filter(JsonNode::isObject).orElse(Json.object()));
                }
            }
            if (m.role().equals("tool") && m.toolCallId() != null && callNames.containsKey(m.toolCallId())) {
                o.put("tool_name", callNames.get(m.toolCallId()));
            }
        }
        return msgs;
    }

    public static String path(GenerationRequest r) {
        return r.isChat() ? "/api/chat" : "/api/generate";
    }

    /** {@code POST /api/embed}. */
    public static ObjectNode embed(String model, List<String> inputs, OllamaOptions o) {
        ObjectNode b = Json.object();
        b.put("model", model);
        ArrayNode in = b.putArray("input");
        inputs.forEach(in::add);
        keepAlive(b, o);
        machine(b.putObject("options"), o);
        return b;
    }

    /** {@code POST /api/pull}, streaming progress. */
    public static ObjectNode pull(String model) {
        ObjectNode b = Json.object();
        b.put("model", model);
        b.put("stream", true);
        return b;
    }

    /** {@code DELETE /api/delete}. */
    public static ObjectNode delete(String model) {
        return Json.object().put("model", model);
    }

    private static ObjectNode machine(ObjectNode opt, OllamaOptions o) {
        opt.put("num_ctx", o.numCtx());
        opt.put("num_thread", o.numThread());
        return opt;
    }

    private static void keepAlive(ObjectNode b, OllamaOptions o) {
        if (o.keepAlive() == null) {
            return;
        }
        try {
            b.put("keep_alive", Long.parseLong(o.keepAlive())); // seconds; Ollama reads a bare string as a Go duration
        } catch (NumberFormatException e) {
            b.put("keep_alive", o.keepAlive());
        }
    }
}
