package io.infernet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.DecodingOptions.ToolCallConstraint;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoding fields of a request body as {@link DecodingOptions}; {@link RequestParser} calls it.
 * Every failure is a 400 naming the field.
 *
 * <ul>
 * <li>{@code response_format}: {@code {"type": "text"}} (or absent) free text; {@code {"type": "json_object"}}
 *     any JSON object; {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}} JSON that
 *     validates against {@code schema} (absent: any JSON object). Accepted on chat and on text completions.
 *     Which schema keywords the in-process engine can enforce is its answer (a 400 naming the keyword);
 *     remote engines get the schema as given.
 * <li>chat: {@code logprobs} (boolean), {@code top_logprobs} 0-20 (needs {@code logprobs: true}).
 * <li>text completions: {@code logprobs} 0-20 (the alternatives per token; OpenAI allows up to 5).
 * <li>{@code n} 1-{@value DecodingOptions#MAX_N}.
 * <li>{@link #toolCalls}: {@code tools} and {@code tool_choice} as the tool-call constraint (for whoever parses tools).
 * </ul>
 */
final class DecodingParser {
    private DecodingParser() {}

    /** The decoding options of {@code POST /v1/chat/completions}. */
    static DecodingOptions chat(Params p) {
        boolean logprobs = p.bool("logprobs").orElse(false);
        var top = p.integer("top_logprobs", 0, DecodingOptions.MAX_TOP_LOGPROBS);
        if (top.isPresent() && !logprobs) {
            throw ApiException.invalidValue("top_logprobs", "top_logprobs needs logprobs set to true.");
        }
        return new DecodingOptions(format(p), logprobs, (int) (long) top.orElse(0L), n(p), null);
    }

    /** The decoding options of {@code POST /v1/completions}. */
    static DecodingOptions completion(Params p) {
        var logprobs = p.integer("logprobs", 0, DecodingOptions.MAX_TOP_LOGPROBS);
        int n = n(p);
        long bestOf = p.integer("best_of", 1, DecodingOptions.MAX_N).orElse((long) n);
        if (bestOf != n) {
            throw ApiException.unsupported("best_of", "best_of must equal n (" + n + "): every generated choice is returned, none is ranked.");
        }
        return new DecodingOptions(format(p), logprobs.isPresent(), (int) (long) logprobs.orElse(0L), n, null);
    }

    private static int n(Params p) {
        return (int) (long) p.integer("n", 1, DecodingOptions.MAX_N).orElse(1L);
    }

    private static DecodingOptions.Format format(Params p) {
        try {
            return DecodingOptions.Format.parse(p.raw("response_format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidValue("response_format", e.getMessage());
        }
    }

    /**
     * {@code tools} and {@code tool_choice} as the tool-call constraint decoding applies, or null for
     * none ({@code tool_choice: "none"}, or no tools). {@code tool_choice} absent means "auto", as
     * OpenAI's is when tools are given.
     *
     * @param tools      the request's {@code tools} (function tools: {@code {"type": "function", "function": {"name", "parameters"}}})
     * @param toolChoice {@code "none"}, {@code "auto"}, {@code "required"}, {@code {"type": "function", "function": {"name"}}}, or null
     * @param parallel   {@code parallel_tool_calls} (default true)
     */
    static ToolCallConstraint toolCalls(JsonNode tools, JsonNode toolChoice, boolean parallel) {
        if (tools == null || (tools.isArray() && tools.isEmpty())) {
            if (toolChoice != null && !(toolChoice.isTextual() && toolChoice.textValue().equals("none"))) {
                throw ApiException.invalidValue("tool_choice", "tool_choice needs tools.");
            }
            return null;
        }
        if (!(tools instanceof ArrayNode arr)) {
            throw ApiException.invalidType("tools", "tools must be an array, got " + Params.kind(tools) + ".");
        }
        List<ToolCallConstraint.Tool> list = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode t = arr.get(i);
            JsonNode fn = t.path("function");
            if (!"function".equals(t.path("type").asText("function")) || !fn.isObject() || !fn.path("name").isTextual()) {
                throw ApiException.invalidValue("tools", "tools[" + i + "] must be {\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": ...}}.");
            }
            JsonNode params = fn.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiException.invalidType("tools", "tools[" + i + "].function.parameters must be a JSON Schema object.");
            }
            try {
                list.add(new ToolCallConstraint.Tool(fn.get("name").textValue(), params == null || params.isNull() ? "{}" : io.infernet.engines.Json.compact(params)));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidValue("tools", "tools[" + i + "]: " + e.getMessage());
            }
        }
        ToolCallConstraint.Mode mode;
        String function = null;
        if (toolChoice == null || toolChoice.isNull()) {
            mode = ToolCallConstraint.Mode.AUTO;
        } else if (toolChoice.isTextual()) {
            switch (toolChoice.textValue()) {
                case "none" -> {
                    return null;
                }
                case "auto" -> mode = ToolCallConstraint.Mode.AUTO;
                case "required" -> mode = ToolCallConstraint.Mode.REQUIRED;
                default -> throw ApiException.invalidValue("tool_choice",
                        "tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}, got '"
                                + toolChoice.textValue() + "'.");
            }
        } else if (toolChoice.path("function").path("name").isTextual()) {
            mode = ToolCallConstraint.Mode.NAMED;
            function = toolChoice.path("function").path("name").textValue();
        } else {
            throw ApiException.invalidValue("tool_choice", "tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}.");
        }
        try {
            return new ToolCallConstraint(list, mode, function, parallel);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidValue("tool_choice", e.getMessage());
        }
    }
}
