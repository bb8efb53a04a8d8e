package io.infernet.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chat request asks beyond its messages and sampling: the tools it offers, how the model
 * may call them, and how its template and reasoning are handled. Read from a request by
 * {@link ToolsParser}; every engine honours it (the in-process engine renders and parses, the
 * OpenAI-compatible engines pass it through, Ollama gets it translated).
 *
 * @param tools             the function tools offered, in request order; names are unique
 * @param toolChoice        whether and which tool the model must call
 * @param parallelToolCalls whether one answer may hold several calls ({@code parallel_tool_calls}, default true)
 * @param templateKwargs    {@code chat_template_kwargs}: extra variables for the chat template, e.g. {@code enable_thinking};
 *                          values are read-only JSON
 * @param extractReasoning  reasoning ({@code <think>...</think>}) goes to {@code reasoning_content}; false
 *                          ({@code reasoning_format: "none"}) leaves it in the content
 * @param reasoningEffort   {@code reasoning_effort} (low, medium, high, ...) for templates that read it; null when not set
 */
public record ChatOptions(List<FunctionTool> tools, ToolChoice toolChoice, boolean parallelToolCalls, Map<String, JsonNode> templateKwargs,
                          boolean extractReasoning, String reasoningEffort) {

    /** No tools, {@code auto}, parallel calls allowed, no kwargs, reasoning extracted. */
    public static final ChatOptions DEFAULT = new ChatOptions(List.of(), ToolChoice.AUTO, true, Map.of(), true, null);

    public ChatOptions {
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        templateKwargs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templateKwargs));
        if (toolChoice.function() != null && tools.stream().noneMatch(t -> t.name().equals(toolChoice.function()))) {
            throw new IllegalArgumentException("tool_choice names function '" + toolChoice.function() + "', which is not among the tools");
        }
    }

    /** Tool calls are parsed from the output: the request offers tools and does not say {@code tool_choice: "none"}. */
    public boolean parseToolCalls() {
        return !tools.isEmpty() && toolChoice.mode() != ToolChoice.Mode.NONE;
    }

    /** The tools as OpenAI's {@code tools} array, null when there are none. */
    public ArrayNode toolsJson() {
        if (tools.isEmpty()) {
            return null;
        }
        ArrayNode out = Json.array();
        for (FunctionTool t : tools) {
            out.add(t.toJson());
        }
        return out;
    }

    /** The tools by name, name to {@code parameters} schema. */
    public Map<String, JsonNode> toolSchemas() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        tools.forEach(t -> out.put(t.name(), t.parameters()));
        return out;
    }

    public ChatOptions withTools(List<FunctionTool> t, ToolChoice choice) {
        return new ChatOptions(t, choice, parallelToolCalls, templateKwargs, extractReasoning, reasoningEffort);
    }

    /**
     * One function the model may call.
     *
     * @param name        {@code [A-Za-z0-9_-]}, 1 to 64 characters
     * @param description what it does, null when not given
     * @param parameters  JSON Schema of its arguments (an object schema); {@code {}} when not given
     * @param strict      OpenAI's {@code strict} flag, null when not given
     */
    public record FunctionTool(String name, String description, JsonNode parameters, Boolean strict) {
        public FunctionTool {
            Objects.requireNonNull(name, "name");
            parameters = parameters == null ? Json.object() : parameters.deepCopy();
        }

        /** {@code {"type": "function", "function": {name, description?, parameters, strict?}}}. */
        public ObjectNode toJson() {
            ObjectNode t = Json.object();
            t.put("type", "function");
            ObjectNode f = t.putObject("function");
            f.put("name", name);
            if (description != null) {
                f.put("description", description);
            }
            f.set("parameters", parameters.deepCopy());
            if (strict != null) {
                f.put("strict", strict);
            }
            return t;
        }
    }

    /**
     * {@code tool_choice}: {@code none}, {@code auto}, {@code required}, or one named function
     * ({@code function} set, mode {@link Mode#FUNCTION}).
     */
    public record ToolChoice(Mode mode, String function) {
        public enum Mode { NONE, AUTO, REQUIRED, FUNCTION }

        public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
        public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
        public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

        public ToolChoice {
            Objects.requireNonNull(mode, "mode");
            if ((mode == Mode.FUNCTION) != (function != null)) {
                throw new IllegalArgumentException("a function name goes with mode FUNCTION only");
            }
        }

        public static ToolChoice function(String name) {
            return new ToolChoice(Mode.FUNCTION, Objects.requireNonNull(name, "name"));
        }

        /** The wire form: {@code "none"}, {@code "auto"}, {@code "required"} or {@code {"type": "function", "function": {"name"}}}. */
        public JsonNode toJson() {
            if (mode == Mode.FUNCTION) {
                ObjectNode o = Json.object();
                o.put("type", "function");
                o.putObject("function").put("name", function);
                return o;
            }
            return Json.MAPPER.getNodeFactory().textNode(mode.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
