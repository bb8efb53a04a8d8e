package io.infernet.engines.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.ChatMessages;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Json;
import io.infernet.kernels.SamplingParams;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON bodies of OpenAI-compatible requests, per {@link OpenAiDialect} (see there for the field table). */
public final class OpenAiRequests {
    private OpenAiRequests() {}

    /** What llama-server gets for {@code penaltyLastN == -1} ("every token"): it refuses -1. */
    static final int LLAMACPP_ALL_TOKENS = 131072;

    /** vLLM clamps logit biases to this magnitude. */
    static final float VLLM_MAX_BIAS = 100f;

    /**
     * The body of {@code POST /v1/chat/completions} (chat) or {@code POST /v1/completions}
     * (raw prompt).
     *
     * @param model  the resolved model name (never null)
     * @param stream whether to stream (then usage is asked for in the stream)
     */
    public static ObjectNode body(OpenAiDialect dialect, String model, GenerationRequest r, boolean stream) {
        ObjectNode b = Json.object();
        b.put("model", model);
        if (r.isChat()) {
            b.set("messages", ChatMessages.toJson(r.messages()));
            chat(dialect, r.chat(), b);
        } else {
            b.put("prompt", r.prompt());
        }
        b.put("stream", stream);
        if (stream) {
            b.putObject("stream_options").put("include_usage", true);
        }
        b.put("max_tokens", r.maxTokens());
        sampling(dialect, r.sampling(), b);
        if (!r.stop().isEmpty()) {
            ArrayNode stop = b.putArray("stop");
            r.stop().forEach(stop::add);
        }
        decoding(dialect, r, b);
        return b;
    }

    /**
     * The chat options, passed through as both servers read them: {@code tools},
     * {@code tool_choice}, {@code parallel_tool_calls} (with tools only), {@code chat_template_kwargs},
     * {@code reasoning_effort}; llama-server gets {@code reasoning_format: "none"} when reasoning is
     * to stay in the content (both separate it into {@code reasoning_content} by default).
     */
    static void chat(OpenAiDialect dialect, ChatOptions chat, ObjectNode b) {
        if (!chat.tools().isEmpty()) {
            b.set("tools", chat.toolsJson());
            b.set("tool_choice", chat.toolChoice().toJson());
            b.put("parallel_tool_calls", chat.parallelToolCalls());
        } else if (chat.toolChoice().mode() == ChatOptions.ToolChoice.Mode.NONE) {
            b.put("tool_choice", "none");
        }
        if (!chat.templateKwargs().isEmpty()) {
            ObjectNode kw = b.putObject("chat_template_kwargs");
            chat.templateKwargs().forEach(kw::set);
        }
        if (chat.reasoningEffort() != null) {
            b.put("reasoning_effort", chat.reasoningEffort());
        }
        if (dialect == OpenAiDialect.LLAMACPP && !chat.extractReasoning()) {
            b.put("reasoning_format", "none");
        }
    }

    /**
     * {@code response_format}, {@code logprobs}/{@code top_logprobs} and {@code n}, sent as the
     * client gave them (see {@link OpenAiDialect}); the server decides what it supports. Text
     * completions on llama-server take the schema as its own {@code json_schema} field (its
     * {@code response_format} is read for chat only).
     */
    static void decoding(OpenAiDialect dialect, GenerationRequest r, ObjectNode b) {
        DecodingOptions d = r.decoding();
        JsonNode schema = switch (d.format()) {
            case DecodingOptions.Text t -> null;
            case DecodingOptions.JsonObject j -> Json.object().put("type", "object");
            case DecodingOptions.JsonSchema s -> Json.tryParse(s.schema()).orElseThrow(() -> new IllegalArgumentException("schema is not JSON"));
        };
        if (schema != null) {
            if (dialect == OpenAiDialect.LLAMACPP && !r.isChat()) {
                b.set("json_schema", schema);
            } else if (d.format() instanceof DecodingOptions.JsonSchema s) {
                ObjectNode js = b.putObject("response_format").put("type", "json_schema").putObject("json_schema");
                js.put("name", s.name());
                js.set("schema", schema);
                js.put("strict", s.strict());
            } else {
                b.putObject("response_format").put("type", "json_object");
            }
        }
        if (d.logprobs()) {
            // llama-server reports no log-probabilities at all for 0 alternatives: ask for 1, and the
            // decoder drops the alternatives the client did not ask for
            int top = dialect == OpenAiDialect.LLAMACPP ? Math.max(1, d.topLogprobs()) : d.topLogprobs();
            if (r.isChat()) {
                b.put("logprobs", true);
                b.put("top_logprobs", top);
            } else {
                b.put("logprobs", top);
            }
        }
        if (d.n() > 1) {
            b.put("n", d.n());
        }
    }

    /** The path of a generation request. */
    public static String path(GenerationRequest r) {
        return r.isChat() ? "/v1/chat/completions" : "/v1/completions";
    }

    static void sampling(OpenAiDialect dialect, SamplingParams s, ObjectNode b) {
        b.put("temperature", s.temperature());
        b.put("top_p", s.topP());
        b.put("min_p", s.minP());
        b.put("presence_penalty", s.presencePenalty());
        b.put("frequency_penalty", s.frequencyPenalty());
        switch (dialect) {
            case VLLM -> {
                b.put("top_k", s.topK() == 0 ? -1 : s.topK());
                b.put("repetition_penalty", s.repeatPenalty());
                b.put("seed", s.seed());
            }
            case LLAMACPP -> {
                b.put("top_k", s.topK());
                b.put("repeat_penalty", s.repeatPenalty());
                b.put("repeat_last_n", s.penaltyLastN() == -1 ? LLAMACPP_ALL_TOKENS : s.penaltyLastN());
                b.put("seed", llamacppSeed(s.seed()));
            }
        }
        if (!s.logitBias().isEmpty()) {
            ObjectNode bias = b.putObject("logit_bias");
            for (Map.Entry<Integer, Float> e : new TreeMap<>(s.logitBias()).entrySet()) { // sorted: the same request, the same bytes
                String id = Integer.toString(e.getKey());
                float v = e.getValue();
                if (v == Float.NEGATIVE_INFINITY) {
                    if (dialect == OpenAiDialect.LLAMACPP) {
                        bias.put(id, false);
                    } else {
                        bias.put(id, -VLLM_MAX_BIAS);
                    }
                } else {
                    bias.put(id, dialect == OpenAiDialect.VLLM ? Math.clamp(v, -VLLM_MAX_BIAS, VLLM_MAX_BIAS) : v);
                }
            }
        }
    }

    /** llama-server reads the seed as a uint32 and takes 0xFFFFFFFF as "random". */
    static long llamacppSeed(long seed) {
        long low = seed & 0xFFFF_FFFFL;
        return low == 0xFFFF_FFFFL ? 0xFFFF_FFFEL : low;
    }

    /** The body of {@code POST /v1/embeddings}. */
    public static ObjectNode embeddings(String model, List<String> inputs) {
        ObjectNode b = Json.object();
        b.put("model", model);
        ArrayNode in = b.putArray("input");
        inputs.forEach(in::add);
        b.put("encoding_format", "float");
        return b;
    }
}
