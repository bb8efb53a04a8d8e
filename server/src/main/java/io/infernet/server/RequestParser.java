package io.infernet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatMessages;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.ToolsParser;
import io.infernet.engines.GenerationRequest;
import io.infernet.kernels.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns OpenAI request bodies into engine requests. Every parameter the API documents is either
 * mapped onto {@link GenerationRequest}/{@link SamplingParams} or refused with a 400 that says
 * it is not supported; none is silently dropped. Fields OpenAI does not know are ignored, as
 * OpenAI does.
 *
 * <p>Mapping (request field -> engine):
 * <ul>
 * <li>temperature [0, 2], default 1 -> temperature (0 = greedy)
 * <li>top_p [0, 1], default 1 -> topP; 0 becomes the smallest positive float, which keeps only
 *     the most likely token (the limit of top_p -> 0)
 * <li>top_k (non-standard) >= 0, default 0 = off -> topK
 * <li>min_p (non-standard) [0, 1], default 0 = off -> minP
 * <li>presence_penalty, frequency_penalty [-2, 2], default 0 -> presencePenalty, frequencyPenalty
 * <li>repeat_penalty (llama.cpp) > 0, default 1 = off; repeat_last_n >= -1, default 64 -> the
 *     window all penalties look at (llama.cpp's default; -1 = every token)
 * <li>logit_bias {"token id": bias in [-100, 100]} -> logitBias; -100 bans the token (-infinity)
 * <li>seed (int64) -> seed; unset draws a random seed
 * <li>max_completion_tokens, else max_tokens (>= 1) -> maxTokens; unset ->
 *     {@link ServerConfig#maxTokensWhenUnset()}
 * <li>stop: a string or up to 4 non-empty strings of at most 1024 characters -> stop (applied by the engine)
 * <li>stream, stream_options.include_usage -> how the answer is written; user -> accepted and unused
 *     (OpenAI uses it for abuse tracking only)
 * <li>tools, tool_choice, parallel_tool_calls, chat_template_kwargs, reasoning_format, reasoning_effort -> chat
 *     options, read by {@link ToolsParser} (functions and function_call are refused: use tools); the in-process
 *     engine derives the tool-call constraint from them
 * <li>response_format, logprobs, top_logprobs, n (and best_of = n on text completions) -> the request's
 *     {@link io.infernet.engines.DecodingOptions}, see {@link DecodingParser}
 * </ul>
 */
final class RequestParser {

    static final int MAX_STOP_STRINGS = 4;
    /** Longest stop string, in characters (the stop filter holds back up to this much text). */
    static final int MAX_STOP_LENGTH = 1024;
    static final int MAX_EMBEDDING_INPUTS = 2048;
    static final int DEFAULT_PENALTY_LAST_N = 64;


    /** A generation and how to write its answer. */
    record ParsedGeneration(GenerationRequest request, boolean stream, boolean includeUsage) {}

    /** An embeddings request; {@code model} null means the engine's default. */
    record ParsedEmbeddings(String model, List<String> inputs, boolean base64) {}

    private RequestParser() {}

    /** {@code POST /v1/chat/completions}. */
    static ParsedGeneration chat(ObjectNode body, ServerConfig cfg) {
        Params p = new Params(body);
        List<ChatMessage> messages = messages(p);
        ChatOptions chat = chatOptions(body);
        GenerationRequest request = new GenerationRequest(model(p), messages, null, sampling(p), maxTokens(p, cfg), stop(p), chat,
                DecodingParser.chat(p));
        return withStreaming(p, request);
    }

    /** {@code POST /v1/completions}. */
    static ParsedGeneration completion(ObjectNode body, ServerConfig cfg) {
        Params p = new Params(body);
        String prompt = prompt(p);
        rejectUnsupportedCompletion(p);
        GenerationRequest request = new GenerationRequest(model(p), null, prompt, sampling(p), maxTokens(p, cfg), stop(p),
                ChatOptions.DEFAULT, DecodingParser.completion(p));
        return withStreaming(p, request);
    }

    /** {@code POST /v1/embeddings}. */
    static ParsedEmbeddings embeddings(ObjectNode body) {
        Params p = new Params(body);
        JsonNode input = p.raw("input");
        if (input == null) {
            throw ApiException.missing("input");
        }
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(input.textValue());
        } else if (input instanceof ArrayNode arr) {
            if (arr.isEmpty()) {
                throw ApiException.invalidValue("input", "input must not be an empty array.");
            }
            if (arr.size() > MAX_EMBEDDING_INPUTS) {
                throw ApiException.invalidValue("input", "input may hold at most " + MAX_EMBEDDING_INPUTS + " strings, got " + arr.size() + ".");
            }
            for (int i = 0; i < arr.size(); i++) {
                JsonNode n = arr.get(i);
                if (!n.isTextual()) {
                    throw n.isNumber() || n.isArray()
                            ? ApiException.unsupported("input", "input as token ids is not supported; send strings.")
                            : ApiException.invalidType("input", "input[" + i + "] must be a string, got " + Params.kind(n) + ".");
                }
                inputs.add(n.textValue());
            }
        } else {
            throw ApiException.invalidType("input", "input must be a string or an array of strings, got " + Params.kind(input) + ".");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).isEmpty()) {
                throw ApiException.invalidValue("input", (input.isTextual() ? "input" : "input[" + i + "]") + " must not be an empty string.");
            }
        }
        String format = p.string("encoding_format").orElse("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalidValue("encoding_format", "encoding_format must be 'float' or 'base64', got '" + format + "'.");
        }
        if (p.has("dimensions")) {
            throw ApiException.unsupported("dimensions", "dimensions is not supported: the model's embeddings have a fixed size; leave it out.");
        }
        p.string("user");
        return new ParsedEmbeddings(model(p), inputs, format.equals("base64"));
    }

    /** The requested model; omitted, null or "" mean the engine's default (null). */
    private static String model(Params p) {
        String m = p.string("model").orElse("");
        return m.isEmpty() ? null : m;
    }

    private static ParsedGeneration withStreaming(Params p, GenerationRequest request) {
        boolean stream = p.bool("stream").orElse(false);
        boolean includeUsage = false;
        var options = p.object("stream_options");
        if (options.isPresent()) {
            if (!stream) {
                throw ApiException.invalidValue("stream_options", "stream_options is only allowed when stream is true.");
            }
            includeUsage = new Params(options.get()).bool("include_usage").orElse(false);
        }
        p.string("user"); // type-checked; used by OpenAI for abuse tracking only
        return new ParsedGeneration(request, stream, includeUsage);
    }

    private static SamplingParams sampling(Params p) {
        float temperature = (float) (double) p.number("temperature", 0, 2).orElse(1.0);
        double topPRequested = p.number("top_p", 0, 1).orElse(1.0);
        float topP = topPRequested == 0 ? Float.MIN_VALUE : (float) topPRequested;
        int topK = (int) (long) p.integer("top_k", 0, Integer.MAX_VALUE).orElse(0L);
        float minP = (float) (double) p.number("min_p", 0, 1).orElse(0.0);
        float presence = (float) (double) p.number("presence_penalty", -2, 2).orElse(0.0);
        float frequency = (float) (double) p.number("frequency_penalty", -2, 2).orElse(0.0);
        float repeat = (float) (double) p.number("repeat_penalty", 0, Float.MAX_VALUE).orElse(1.0);
        if (repeat == 0f) {
            throw ApiException.invalidValue("repeat_penalty", "repeat_penalty must be > 0 (1 = off), got 0.");
        }
        int lastN = (int) (long) p.integer("repeat_last_n", -1, Integer.MAX_VALUE).orElse((long) DEFAULT_PENALTY_LAST_N);
        long seed = p.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE).orElseGet(() -> ThreadLocalRandom.current().nextLong());
        return new SamplingParams(temperature, topK, topP, minP, repeat, lastN, frequency, presence, logitBias(p), seed);
    }

    private static Map<Integer, Float> logitBias(Params p) {
        var obj = p.object("logit_bias");
        if (obj.isEmpty()) {
            return Map.of();
        }
        Map<Integer, Float> bias = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : obj.get().properties()) {
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                token = -1;
            }
            if (token < 0) {
                throw ApiException.invalidValue("logit_bias", "logit_bias keys must be token ids (non-negative integers as strings), got '" + e.getKey() + "'.");
            }
            double v = Params.number("logit_bias", e.getValue(), -100, 100);
            bias.put(token, v == -100 ? Float.NEGATIVE_INFINITY : (float) v);
        }
        return bias;
    }

    private static int maxTokens(Params p, ServerConfig cfg) {
        var completion = p.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        var legacy = p.integer("max_tokens", 1, Integer.MAX_VALUE);
        if (completion.isPresent()) {
            return (int) (long) completion.get();
        }
        return legacy.map(Long::intValue).orElse(cfg.maxTokensWhenUnset());
    }

    private static List<String> stop(Params p) {
        JsonNode n = p.raw("stop");
        if (n == null) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (n.isTextual()) {
            stops.add(n.textValue());
        } else if (n instanceof ArrayNode arr) {
            if (arr.size() > MAX_STOP_STRINGS) {
                throw ApiException.invalidValue("stop", "stop may hold at most " + MAX_STOP_STRINGS + " strings, got " + arr.size() + ".");
            }
            for (JsonNode s : arr) {
                if (!s.isTextual()) {
                    throw ApiException.invalidType("stop", "stop must be a string or an array of strings, got an array holding " + Params.kind(s) + ".");
                }
                stops.add(s.textValue());
            }
        } else {
            throw ApiException.invalidType("stop", "stop must be a string or an array of strings, got " + Params.kind(n) + ".");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalidValue("stop", "stop strings must not be empty.");
        }
        if (stops.stream().anyMatch(x -> x.length() > MAX_STOP_LENGTH)) {
            throw ApiException.invalidValue("stop", "stop strings may be at most " + MAX_STOP_LENGTH + " characters long.");
        }
        return stops;
    }

    static List<ChatMessage> messages(Params p) {
        try {
            return ChatMessages.parse(p.raw("messages"));
        } catch (ChatMessages.InvalidMessageException e) {
            throw invalid(e);
        }
    }

    /** Tools, tool choice, template kwargs and reasoning options of a chat body. */
    static ChatOptions chatOptions(ObjectNode body) {
        try {
            return ToolsParser.parse(body);
        } catch (ChatMessages.InvalidMessageException e) {
            throw invalid(e);
        }
    }

    static ApiException invalid(ChatMessages.InvalidMessageException e) {
        return new ApiException(400, ApiException.INVALID_REQUEST, e.param(), e.fault().code(), e.getMessage());
    }

    private static String prompt(Params p) {
        JsonNode n = p.raw("prompt");
        if (n == null) {
            throw ApiException.missing("prompt");
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n instanceof ArrayNode arr) {
            if (arr.isEmpty()) {
                throw ApiException.invalidValue("prompt", "prompt must not be an empty array.");
            }
            if (!arr.get(0).isTextual()) {
                throw arr.get(0).isNumber() || arr.get(0).isArray()
                        ? ApiException.unsupported("prompt", "prompt as token ids is not supported; send a string.")
                        : ApiException.invalidType("prompt", "prompt must be a string or an array of one string, got an array holding " + Params.kind(arr.get(0)) + ".");
            }
            if (arr.size() > 1) {
                throw ApiException.unsupported("prompt", "only one prompt per request is supported, got " + arr.size() + ".");
            }
            return arr.get(0).textValue();
        }
        throw ApiException.invalidType("prompt", "prompt must be a string or an array of one string, got " + Params.kind(n) + ".");
    }

    private static void rejectUnsupportedCompletion(Params p) {
        if (p.bool("echo").orElse(false)) {
            throw ApiException.unsupported("echo", "echo is not supported by this server.");
        }
        if (!p.string("suffix").orElse("").isEmpty()) {
            throw ApiException.unsupported("suffix", "suffix is not supported by this server.");
        }
    }
}
