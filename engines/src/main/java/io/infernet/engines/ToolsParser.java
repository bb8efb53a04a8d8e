package io.infernet.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ChatMessages.Fault;
import io.infernet.engines.ChatMessages.InvalidMessageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the chat fields of a request body into {@link ChatOptions}, one way for the HTTP API
 * and the network's chat jobs: {@code tools}, {@code tool_choice}, {@code parallel_tool_calls},
 * {@code chat_template_kwargs}, {@code reasoning_format} and {@code reasoning_effort}. The legacy
 * {@code functions} and {@code function_call} are refused with a pointer to {@code tools}.
 * Failures are {@link InvalidMessageException}s naming the field.
 */
public final class ToolsParser {
    private ToolsParser() {}

    /** OpenAI's rule for function names. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int MAX_TOOLS = 128;

    /**
     * @param body the request object (fields absent or null take their defaults)
     * @throws InvalidMessageException naming the field and what is wrong with it
     */
    public static ChatOptions parse(ObjectNode body) {
        for (String legacy : List.of("functions", "function_call")) {
            if (present(body.get(legacy)) != null) {
                throw new InvalidMessageException(legacy, Fault.UNSUPPORTED,
                        legacy + " is the deprecated form of function calling; send tools and tool_choice instead.");
            }
        }
        List<ChatOptions.FunctionTool> tools = tools(present(body.get("tools")));
        ChatOptions.ToolChoice choice = toolChoice(present(body.get("tool_choice")), tools);
        JsonNode parallel = present(body.get("parallel_tool_calls"));
        if (parallel != null && !parallel.isBoolean()) {
            throw new InvalidMessageException("parallel_tool_calls", Fault.INVALID_TYPE,
                    "parallel_tool_calls must be a boolean, got " + ChatMessages.kind(parallel) + ".");
        }
        Map<String, JsonNode> kwargs = new LinkedHashMap<>();
        JsonNode kw = present(body.get("chat_template_kwargs"));
        if (kw != null) {
            if (!(kw instanceof ObjectNode o)) {
                throw new InvalidMessageException("chat_template_kwargs", Fault.INVALID_TYPE,
                        "chat_template_kwargs must be an object of template variables, got " + ChatMessages.kind(kw) + ".");
            }
            o.properties().forEach(e -> kwargs.put(e.getKey(), e.getValue().deepCopy()));
        }
        boolean extract = true;
        JsonNode format = present(body.get("reasoning_format"));
        if (format != null) {
            String f = format.isTextual() ? format.textValue() : "";
            if (!Set.of("none", "auto", "deepseek", "deepseek-legacy").contains(f)) {
                throw new InvalidMessageException("reasoning_format", Fault.INVALID_VALUE,
                        "reasoning_format must be 'none' (reasoning stays in the content) or 'auto' (it goes to reasoning_content).");
            }
            extract = !f.equals("none");
        }
        JsonNode effort = present(body.get("reasoning_effort"));
        if (effort != null && !effort.isTextual()) {
            throw new InvalidMessageException("reasoning_effort", Fault.INVALID_TYPE, "reasoning_effort must be a string such as 'low', 'medium' or 'high'.");
        }
        return new ChatOptions(tools, choice, parallel == null || parallel.booleanValue(), kwargs, extract,
                effort == null ? null : effort.textValue());
    }

    private static List<ChatOptions.FunctionTool> tools(JsonNode n) {
        if (n == null) {
            return List.of();
        }
        if (!(n instanceof ArrayNode arr)) {
            throw new InvalidMessageException("tools", Fault.INVALID_TYPE, "tools must be an array of function tools, got " + ChatMessages.kind(n) + ".");
        }
        if (arr.size() > MAX_TOOLS) {
            throw new InvalidMessageException("tools", Fault.INVALID_VALUE, "tools may hold at most " + MAX_TOOLS + " tools, got " + arr.size() + ".");
        }
        List<ChatOptions.FunctionTool> out = new ArrayList<>(arr.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < arr.size(); i++) {
            String at = "tools[" + i + "]";
            if (!(arr.get(i) instanceof ObjectNode tool)) {
                throw new InvalidMessageException(at, Fault.INVALID_TYPE, at + " must be an object {type: 'function', function: {...}}.");
            }
            JsonNode type = present(tool.get("type"));
            if (type == null || !type.isTextual() || !type.textValue().equals("function")) {
                throw new InvalidMessageException(at + ".type", type == null ? Fault.MISSING : Fault.UNSUPPORTED,
                        at + ".type must be 'function'; this server offers function tools only.");
            }
            if (!(tool.get("function") instanceof ObjectNode fn)) {
                throw new InvalidMessageException(at + ".function", Fault.MISSING, "Missing required parameter: '" + at + ".function'.");
            }
            ChatOptions.FunctionTool t = function(fn, at + ".function");
            if (!names.add(t.name())) {
                throw new InvalidMessageException(at + ".function.name", Fault.INVALID_VALUE, "two tools are named '" + t.name() + "'; names must be unique.");
            }
            out.add(t);
        }
        return out;
    }

    /** One function definition, {@code {name, description?, parameters?, strict?}} (the Responses API's flat tools use it too). */
    public static ChatOptions.FunctionTool function(ObjectNode fn, String at) {
        JsonNode name = present(fn.get("name"));
        if (name == null || !name.isTextual() || !NAME.matcher(name.textValue()).matches()) {
            throw new InvalidMessageException(at + ".name", name == null ? Fault.MISSING : Fault.INVALID_VALUE,
                    at + ".name must be 1 to 64 letters, digits, '_' or '-'" + (name == null ? "." : ", got " + name + "."));
        }
        JsonNode description = present(fn.get("description"));
        if (description != null && !description.isTextual()) {
            throw new InvalidMessageException(at + ".description", Fault.INVALID_TYPE, at + ".description must be a string.");
        }
        JsonNode parameters = present(fn.get("parameters"));
        if (parameters != null && !parameters.isObject()) {
            throw new InvalidMessageException(at + ".parameters", Fault.INVALID_TYPE, at + ".parameters must be a JSON Schema object.");
        }
        JsonNode strict = present(fn.get("strict"));
        if (strict != null && !strict.isBoolean()) {
            throw new InvalidMessageException(at + ".strict", Fault.INVALID_TYPE, at + ".strict must be a boolean.");
        }
        return new ChatOptions.FunctionTool(name.textValue(), description == null ? null : description.textValue(), parameters,
                strict == null ? null : strict.booleanValue());
    }

    /** {@code none | auto | required | {type: function, function: {name}}}; a choice other than none needs tools. */
    public static ChatOptions.ToolChoice toolChoice(JsonNode n, List<ChatOptions.FunctionTool> tools) {
        if (n == null) {
            return ChatOptions.ToolChoice.AUTO;
        }
        ChatOptions.ToolChoice choice;
        if (n.isTextual()) {
            choice = switch (n.textValue()) {
                case "none" -> ChatOptions.ToolChoice.NONE;
                case "auto" -> ChatOptions.ToolChoice.AUTO;
                case "required" -> ChatOptions.ToolChoice.REQUIRED;
                default -> throw new InvalidMessageException("tool_choice", Fault.INVALID_VALUE,
                        "tool_choice must be 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}, got '"
                                + n.textValue() + "'.");
            };
        } else if (n instanceof ObjectNode o) {
            JsonNode fn = o.get("function");
            // the Responses API writes {"type": "function", "name": ...}
            JsonNode name = fn != null && fn.isObject() ? fn.get("name") : o.get("name");
            if (!"function".equals(Json.text(o, "type")) || name == null || !name.isTextual()) {
                throw new InvalidMessageException("tool_choice", Fault.INVALID_VALUE,
                        "tool_choice as an object must be {\"type\": \"function\", \"function\": {\"name\": ...}}.");
            }
            if (tools.stream().noneMatch(t -> t.name().equals(name.textValue()))) {
                throw new InvalidMessageException("tool_choice", Fault.INVALID_VALUE,
                        "tool_choice names function '" + name.textValue() + "', which is not among the tools.");
            }
            choice = ChatOptions.ToolChoice.function(name.textValue());
        } else {
            throw new InvalidMessageException("tool_choice", Fault.INVALID_TYPE, "tool_choice must be a string or an object, got " + ChatMessages.kind(n) + ".");
        }
        if (tools.isEmpty() && (choice.mode() == ChatOptions.ToolChoice.Mode.REQUIRED)) {
            throw new InvalidMessageException("tool_choice", Fault.INVALID_VALUE, "tool_choice 'required' needs tools; send tools or leave tool_choice out.");
        }
        return choice;
    }

    private static JsonNode present(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }
}
