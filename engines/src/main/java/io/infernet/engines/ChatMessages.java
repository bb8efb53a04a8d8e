package io.infernet.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OpenAI-style chat {@code messages} as clients send them, read one way for every door: the
 * HTTP API and the network's chat jobs. Roles: system, developer (OpenAI's newer name for
 * system), user, assistant, tool. Content: a string, or an array of text parts joined with
 * newlines (as llama.cpp's server joins them); an assistant message may omit it.
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
        JsonNode toolCalls = obj.get("tool_calls");
        if (toolCalls != null && !toolCalls.isNull() && !(toolCalls.isArray() && toolCalls.isEmpty())) {
            throw new InvalidMessageException(where + ".tool_calls", Fault.UNSUPPORTED, "tool calls are not supported by this server.");
        }
        JsonNode content = present(obj.get("content"));
        String text;
        if (content == null) {
            if (!role.equals("assistant")) {
                throw missing(where + ".content");
            }
            text = "";
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content instanceof ArrayNode parts) {
            text = textParts(parts, where + ".content");
        } else {
            throw new InvalidMessageException(where + ".content", Fault.INVALID_TYPE,
                    where + ".content must be a string or an array of text parts, got " + kind(content) + ".");
        }
        return new ChatMessage(role.equals("developer") ? "system" : role, text);
    }

    /** Text parts joined with newlines; other part types are refused. */
    private static String textParts(ArrayNode parts, String where) {
        StringBuilder sb = new StringBuilder();
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
            if (j > 0) {
                sb.append('\n');
            }
            sb.append(t.textValue());
        }
        return sb.toString();
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
