package io.infernet.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.infernet.chat.parse.ToolCall;

/**
 * OpenAI-style chat {@code messages} as clients send them, read one way for every door: the
 * HTTP API and the network's chat jobs. Roles: system, developer (OpenAI's newer name for
 * system), user, assistant, tool. Content: a string, or an array of text parts (kept, and joined
 * with newlines as llama.cpp's server joins them for text); an assistant message may omit it.
 * Also read: {@code name}, a tool message's {@code tool_call_id}, an assistant's
 * {@code tool_calls} and {@code reasoning_content}.
 */
public final class ChatMessages {
    private ChatMessages() {}

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    /** What is wrong with a field, in the OpenAI error codes' terms. */
    public enum Fault {
        MISSING("missing_required_parameter"),
        INVALID_TYPE("invalid_type"),
        INVALID_VALUE("invalid_value"),
        UNSUPPORTED("unsupported_parameter");

        private final String code;

        Fault(String code) {
            this.code = code;
        }

        /** The OpenAI error code. */
        public String code() {
            return code;
        }
    }

    /** A message that cannot be taken; {@code param} is its JSON path, e.g. {@code messages[2].content[0].type}. */
    public static final class InvalidMessageException extends IllegalArgumentException {
        private final String param;
        private final Fault fault;

        InvalidMessageException(String param, Fault fault, String message) {
            super(message);
            this.param = param;
            this.fault = fault;
        }

        public String param() {
            return param;
        }

        public Fault fault() {
            return fault;
        }
    }

    /**
     * Reads a {@code messages} array.
     *
     * @param n the value of {@code messages}; null when absent
     * @throws InvalidMessageException naming the field and what is wrong with it
     */
    public static List<ChatMessage> parse(JsonNode n) {
        if (n == null || n.isNull()) {
            throw missing("messages");
        }
        if (!(n instanceof ArrayNode arr)) {
            throw new InvalidMessageException("messages", Fault.INVALID_TYPE, "messages must be an array of message objects, got " + kind(n) + ".");
        }
        if (arr.isEmpty()) {
            throw new InvalidMessageException("messages", Fault.INVALID_VALUE, "messages must hold at least one message.");
        }
        List<ChatMessage> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            out.add(message(arr.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    private static ChatMessage message(JsonNode n, String where) {
        if (!(n instanceof ObjectNode obj)) {
            throw new InvalidMessageException(where, Fault.INVALID_TYPE, where + " must be an object with role and content, got " + kind(n) + ".");
        }
        JsonNode roleNode = present(obj.get("role"));
        if (roleNode == null) {
            throw missing(where + ".role");
        }
        if (!roleNode.isTextual()) {
            throw new InvalidMessageException(where + ".role", Fault.INVALID_TYPE, where + ".role must be a string, got " + kind(roleNode) + ".");
        }
        String role = roleNode.textValue();
        if (!ROLES.contains(role)) {
            throw new InvalidMessageException(where + ".role", Fault.INVALID_VALUE,
                    where + ".role must be one of system, developer, user, assistant, tool; got '" + role + "'.");
        }
        List<ToolCall> calls = toolCalls(obj.get("tool_calls"), where, role);
        JsonNode content = present(obj.get("content"));
        String text;
        List<String> parts = null;
        if (content == null) {
            if (!role.equals("assistant")) {
                throw missing(where + ".content");
            }
            text = "";
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content instanceof ArrayNode arr) {
            parts = textParts(arr, where + ".content");
            text = String.join("\n", parts);
        } else {
            throw new InvalidMessageException(where + ".content", Fault.INVALID_TYPE,
                    where + ".content must be a string or an array of text parts, got " + kind(content) + ".");
        }
        // a tool message without tool_call_id is taken, as llama-server and vLLM take it
        return new ChatMessage(role.equals("developer") ? "system" : role, text, parts, optionalText(obj, "name", where),
                optionalText(obj, "tool_call_id", where), calls,
                optionalText(obj, "reasoning_content", where));
    }

    /** An assistant's {@code tool_calls}: {@code [{id, type: "function", function: {name, arguments}}]}, arguments a JSON string or object. */
    private static List<ToolCall> toolCalls(JsonNode n, String where, String role) {
        if (n == null || n.isNull() || (n.isArray() && n.isEmpty())) {
            return List.of();
        }
        String at = where + ".tool_calls";
        if (!role.equals("assistant")) {
            throw new InvalidMessageException(at, Fault.INVALID_VALUE, at + " is only allowed on assistant messages, not on role '" + role + "'.");
        }
        if (!(n instanceof ArrayNode arr)) {
            throw new InvalidMessageException(at, Fault.INVALID_TYPE, at + " must be an array of tool calls, got " + kind(n) + ".");
        }
        List<ToolCall> calls = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            String c = at + "[" + i + "]";
            if (!(arr.get(i) instanceof ObjectNode call)) {
                throw new InvalidMessageException(c, Fault.INVALID_TYPE, c + " must be an object {id, type, function}, got " + kind(arr.get(i)) + ".");
            }
            JsonNode type = present(call.get("type"));
            if (type != null && !(type.isTextual() && type.textValue().equals("function"))) {
                throw new InvalidMessageException(c + ".type", Fault.UNSUPPORTED, c + ".type must be 'function'.");
            }
            if (!(call.get("function") instanceof ObjectNode fn)) {
                throw missing(c + ".function");
            }
            JsonNode name = present(fn.get("name"));
            if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
                throw new InvalidMessageException(c + ".function.name", Fault.INVALID_VALUE, c + ".function.name must be a non-empty string.");
            }
            JsonNode args = present(fn.get("arguments"));
            String arguments;
            if (args == null) {
                arguments = "{}";
            } else if (args.isTextual()) {
                arguments = args.textValue();
            } else if (args.isObject()) {
                arguments = Json.compact(args);
            } else {
                throw new InvalidMessageException(c + ".function.arguments", Fault.INVALID_TYPE,
                        c + ".function.arguments must be a JSON string (or an object), got " + kind(args) + ".");
            }
            JsonNode id = present(call.get("id"));
            if (id != null && !id.isTextual()) {
                throw new InvalidMessageException(c + ".id", Fault.INVALID_TYPE, c + ".id must be a string.");
            }
            calls.add(new ToolCall(id == null ? "" : id.textValue(), name.textValue(), arguments));
        }
        return calls;
    }

    private static String optionalText(ObjectNode obj, String field, String where) {
        JsonNode v = present(obj.get(field));
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidMessageException(where + "." + field, Fault.INVALID_TYPE, where + "." + field + " must be a string, got " + kind(v) + ".");
        }
        return v.textValue();
    }

    /**
     * The messages in OpenAI's shape, as a template or an OpenAI-compatible server reads them:
     * {@code role}, {@code content} (a string, or the text parts as given), then {@code name},
     * {@code tool_call_id}, {@code tool_calls} (arguments as a JSON string) and
     * {@code reasoning_content} where set.
     */
    public static ArrayNode toJson(List<ChatMessage> messages) {
        ArrayNode out = Json.array();
        for (ChatMessage m : messages) {
            ObjectNode o = out.addObject();
            o.put("role", m.role());
            if (m.parts() != null) {
                ArrayNode parts = o.putArray("content");
                m.parts().forEach(p -> parts.addObject().put("type", "text").put("text", p));
            } else if (m.content().isEmpty() && !m.toolCalls().isEmpty()) {
                o.putNull("content");
            } else {
                o.put("content", m.content());
            }
            if (m.name() != null) {
                o.put("name", m.name());
            }
            if (m.toolCallId() != null) {
                o.put("tool_call_id", m.toolCallId());
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = o.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    ObjectNode call = calls.addObject();
                    if (!c.id().isEmpty()) {
                        call.put("id", c.id());
                    }
                    call.put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
                }
            }
            if (m.reasoningContent() != null) {
                o.put("reasoning_content", m.reasoningContent());
            }
        }
        return out;
    }

    /** The text parts; other part types are refused. */
    private static List<String> textParts(ArrayNode parts, String where) {
        List<String> out = new ArrayList<>(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            String at = where + "[" + j + "]";
            JsonNode part = parts.get(j);
            if (!(part instanceof ObjectNode po)) {
                throw new InvalidMessageException(at, Fault.INVALID_TYPE,
                        at + " must be an object like {\"type\": \"text\", \"text\": \"...\"}, got " + kind(part) + ".");
            }
            JsonNode typeNode = present(po.get("type"));
            if (typeNode == null) {
                throw missing(at + ".type");
            }
            if (!typeNode.isTextual()) {
                throw new InvalidMessageException(at + ".type", Fault.INVALID_TYPE, at + ".type must be a string.");
            }
            String type = typeNode.textValue();
            if (!type.equals("text")) {
                throw new InvalidMessageException(at + ".type", Fault.UNSUPPORTED,
                        at + ".type '" + type + "' is not supported; this server takes text parts only.");
            }
            JsonNode t = po.get("text");
            if (t == null || !t.isTextual()) {
                throw new InvalidMessageException(at + ".text", Fault.INVALID_TYPE, at + ".text must be a string.");
            }
            out.add(t.textValue());
        }
        return out;
    }

    private static JsonNode present(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static InvalidMessageException missing(String param) {
        return new InvalidMessageException(param, Fault.MISSING, "Missing required parameter: '" + param + "'.");
    }

    /** "a string", "an array", ... for messages. */
    public static String kind(JsonNode n) {
        if (n == null) {
            return "null";
        }
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }
}
