package io.infernet.chat.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI conversation read and rebuilt as llama-server hands it to a template, so that
 * templates see what they see there: each message rebuilt with its keys in a fixed order
 * ({@code role}, {@code content}, {@code reasoning_content}, {@code name}, {@code tool_call_id},
 * {@code tool_calls}), a null or empty content as {@code ""}, empty optional fields dropped,
 * tool-call {@code arguments} as a JSON string (an object given is serialized compactly), tools
 * reduced to {@code type}, {@code function.name}, {@code function.description} ({@code ""} when
 * absent) and {@code function.parameters} ({@code {}} when absent).
 */
final class Conversation {
    private Conversation() {}

    static final ObjectMapper JSON = new ObjectMapper();
    /** Parses as nlohmann::json::parse does: a whole document, nothing after it. */
    static final ObjectMapper STRICT_JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    record Part(String type, String text) {}

    record Call(String id, String name, String arguments) {}

    /** One message; {@code content} null when given as parts (then {@code parts} holds them), empty strings for absent fields. */
    record Message(String role, String content, List<Part> parts, String reasoning, String name, String toolCallId, List<Call> calls) {
        Message withText(String newContent, String newReasoning, List<Part> newParts) {
            return new Message(role, newContent, newParts, newReasoning, name, toolCallId, calls);
        }
    }

    static List<Message> parseMessages(JsonNode messages) {
        if (messages == null || !messages.isArray()) {
            throw input("'messages' must be an array");
        }
        List<Message> out = new ArrayList<>();
        int index = 0;
        for (JsonNode m : messages) {
            String where = "messages[" + index++ + "]";
            if (!m.isObject()) {
                throw input(where + " must be an object");
            }
            if (!m.has("role") || !m.get("role").isTextual()) {
                throw input(where + " has no 'role'");
            }
            String role = m.get("role").textValue();
            boolean hasContent = m.has("content");
            boolean hasCalls = m.has("tool_calls");
            if (!role.equals("assistant") && !hasContent) {
                throw input(where + ": every non-assistant message must have 'content'");
            }
            if (role.equals("assistant") && !hasContent && !hasCalls) {
                throw input(where + ": an assistant message must have 'content' or 'tool_calls'");
            }
            String content = "";
            List<Part> parts = List.of();
            JsonNode c = m.get("content");
            if (c != null && c.isTextual()) {
                content = c.textValue();
            } else if (c != null && c.isArray()) {
                parts = parts(c, where);
                content = null;
            } else if (c != null && !c.isNull()) {
                throw input(where + ": 'content' must be a string, an array of parts or null");
            }
            List<Call> calls = hasCalls ? calls(m.get("tool_calls"), where) : List.of();
            out.add(new Message(role, content, parts, text(m, "reasoning_content", where), text(m, "name", where),
                    text(m, "tool_call_id", where), calls));
        }
        return out;
    }

    private static List<Part> parts(JsonNode content, String where) {
        List<Part> parts = new ArrayList<>();
        for (JsonNode p : content) {
            String type = p.path("type").asText("");
            if (!type.equals("text")) {
                throw input(where + ": content part type '" + type + "' is not supported (only 'text')");
            }
            if (!p.path("text").isTextual()) {
                throw input(where + ": a text part needs a string 'text'");
            }
            parts.add(new Part(type, p.get("text").textValue()));
        }
        return parts;
    }

    private static List<Call> calls(JsonNode toolCalls, String where) {
        if (toolCalls.isNull()) {
            return List.of();
        }
        if (!toolCalls.isArray()) {
            throw input(where + ": 'tool_calls' must be an array");
        }
        List<Call> calls = new ArrayList<>();
        for (JsonNode tc : toolCalls) {
            if (!tc.path("type").asText("").equals("function")) {
                throw input(where + ": tool calls must have type 'function'");
            }
            JsonNode fn = tc.get("function");
            if (fn == null || !fn.path("name").isTextual()) {
                throw input(where + ": a tool call needs 'function' with a 'name'");
            }
            if (!fn.has("arguments")) {
                throw input(where + ": a tool call needs 'function.arguments'");
            }
            JsonNode args = fn.get("arguments");
            String arguments;
            try {
                arguments = args.isTextual() ? args.textValue() : JSON.writeValueAsString(args);
            } catch (JsonProcessingException e) {
                throw input(where + ": tool call arguments cannot be serialized: " + e.getOriginalMessage());
            }
            String id = tc.path("id").isTextual() ? tc.get("id").textValue() : "";
            calls.add(new Call(id, fn.get("name").textValue(), arguments));
        }
        return calls;
    }

    /** An optional string field; absent or null reads as "". */
    private static String text(JsonNode m, String field, String where) {
        JsonNode v = m.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw input(where + ": '" + field + "' must be a string");
        }
        return v.textValue();
    }

    /** The message as a template sees it (content parts kept as parts). */
    static ObjectNode toJson(Message m) {
        ObjectNode o = NODES.objectNode();
        o.put("role", m.role());
        if (m.content() != null && !m.content().isEmpty()) {
            o.put("content", m.content());
        } else if (!m.parts().isEmpty()) {
            ArrayNode parts = o.putArray("content");
            for (Part p : m.parts()) {
                parts.addObject().put("type", p.type()).put("text", p.text());
            }
        } else {
            o.put("content", "");
        }
        if (!m.reasoning().isEmpty()) {
            o.put("reasoning_content", m.reasoning());
        }
        if (!m.name().isEmpty()) {
            o.put("name", m.name());
        }
        if (!m.toolCallId().isEmpty()) {
            o.put("tool_call_id", m.toolCallId());
        }
        if (!m.calls().isEmpty()) {
            ArrayNode calls = o.putArray("tool_calls");
            for (Call c : m.calls()) {
                ObjectNode call = calls.addObject();
                call.put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                if (!c.id().isEmpty()) {
                    call.put("id", c.id());
                }
            }
        }
        return o;
    }

    /** Text parts joined with newlines, as llama-server flattens them for a template that takes only string content. */
    static String joinParts(JsonNode parts) {
        StringBuilder text = new StringBuilder();
        for (JsonNode p : parts) {
            if (!p.path("type").asText("").equals("text")) {
                continue;
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(p.path("text").asText(""));
        }
        return text.toString();
    }

    /** The tools as a template sees them, or null when there are none (then {@code tools} is undefined in the template). */
    static ArrayNode tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray()) {
            throw input("'tools' must be an array");
        }
        ArrayNode out = NODES.arrayNode();
        int index = 0;
        for (JsonNode t : tools) {
            String where = "tools[" + index++ + "]";
            if (!t.path("type").isTextual() || !t.get("type").textValue().equals("function")) {
                throw input(where + ": only tools of type 'function' are supported");
            }
            JsonNode fn = t.get("function");
            if (fn == null || !fn.isObject() || !fn.path("name").isTextual()) {
                throw input(where + " needs 'function' with a 'name'");
            }
            JsonNode description = fn.get("description");
            if (description != null && !description.isTextual()) {
                throw input(where + ": 'function.description' must be a string");
            }
            ObjectNode tool = out.addObject();
            tool.put("type", "function");
            ObjectNode f = tool.putObject("function");
            f.put("name", fn.get("name").textValue());
            f.put("description", description == null ? "" : description.textValue());
            f.set("parameters", fn.has("parameters") ? fn.get("parameters").deepCopy() : NODES.objectNode());
        }
        return out.isEmpty() ? null : out;
    }

    static TemplateException input(String message) {
        return new TemplateException(TemplateException.Kind.INPUT, message);
    }
}
