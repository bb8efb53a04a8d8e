package io.infernet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code POST /v1/responses} body read as the chat request it stands for, so that one parser
 * ({@link RequestParser#chat}) maps sampling, tools and structured output for both APIs:
 * {@code instructions} becomes a system message first; the conversation of
 * {@code previous_response_id} comes next; then {@code input} (a string, or items: messages with
 * {@code input_text}/{@code output_text} parts, {@code function_call} and
 * {@code function_call_output}); flat function {@code tools} become chat tools;
 * {@code max_output_tokens}, {@code reasoning.effort} and {@code text.format} become
 * {@code max_completion_tokens}, {@code reasoning_effort} and {@code response_format}.
 *
 * @param chatBody     the equivalent chat completions body
 * @param conversation the messages without instructions (stored for a later previous_response_id)
 * @param stream       whether to stream events
 * @param store        whether to keep the response for previous_response_id (default true)
 * @param echo         request fields the response object repeats (instructions, tools, ...)
 */
record ResponsesRequest(ObjectNode chatBody, List<ChatMessage> conversation, boolean stream, boolean store, ObjectNode echo) {

    /** Fields taken as they are by the chat parser. */
    private static final List<String> PASSED = List.of("model", "temperature", "top_p", "parallel_tool_calls", "user", "seed", "top_k",
            "min_p", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "chat_template_kwargs", "reasoning_format");
    private static final Set<String> ROLES = Set.of("user", "system", "developer", "assistant");

    /**
     * @param previous the conversation of previous_response_id, looked up by the caller
     * @throws ApiException naming the field at fault
     */
    static ResponsesRequest parse(ObjectNode body, java.util.function.Function<String, List<ChatMessage>> previous) {
        Params p = new Params(body);
        ObjectNode chat = Json.object();
        for (String f : PASSED) {
            if (p.has(f)) {
                chat.set(f, body.get(f));
            }
        }
        List<ChatMessage> conversation = new ArrayList<>();
        String prev = p.string("previous_response_id").orElse(null);
        if (prev != null) {
            List<ChatMessage> before = previous.apply(prev);
            if (before == null) {
                throw new ApiException(404, ApiException.INVALID_REQUEST, "previous_response_id", "previous_response_not_found",
                        "Previous response with id '" + prev + "' not found: it was never stored here (store: false), or this server "
                                + "restarted or dropped it (it keeps the last " + ResponseStore.DEFAULT_CAPACITY + ").");
            }
            conversation.addAll(before);
        }
        JsonNode input = p.raw("input");
        if (input == null) {
            throw ApiException.missing("input");
        }
        conversation.addAll(input(input));
        List<ChatMessage> messages = new ArrayList<>();
        p.string("instructions").filter(s -> !s.isEmpty()).ifPresent(s -> messages.add(new ChatMessage("system", s)));
        messages.addAll(conversation);
        if (messages.isEmpty()) {
            throw ApiException.invalidValue("input", "input must hold at least one message or item.");
        }
        chat.set("messages", io.infernet.engines.ChatMessages.toJson(messages));
        p.integer("max_output_tokens", 1, Integer.MAX_VALUE).ifPresent(n -> chat.put("max_completion_tokens", n));
        p.array("tools").ifPresent(tools -> chat.set("tools", tools(tools)));
        JsonNode choice = p.raw("tool_choice");
        if (choice != null) {
            chat.set("tool_choice", choice instanceof ObjectNode o && o.has("name") && !o.has("function")
                    ? Json.object().put("type", "function").set("function", Json.object().put("name", o.get("name").asText())) : choice);
        }
        p.object("reasoning").flatMap(r -> new Params(r).string("effort")).ifPresent(e -> chat.put("reasoning_effort", e));
        p.object("text").flatMap(t -> new Params(t).object("format")).ifPresent(f -> chat.set("response_format", responseFormat(f)));
        boolean stream = p.bool("stream").orElse(false);
        chat.put("stream", stream);
        boolean store = p.bool("store").orElse(true);
        ObjectNode echo = Json.object();
        echo.set("instructions", body.hasNonNull("instructions") ? body.get("instructions") : Json.MAPPER.nullNode());
        echo.set("previous_response_id", prev == null ? Json.MAPPER.nullNode() : Json.MAPPER.getNodeFactory().textNode(prev));
        echo.set("tools", body.hasNonNull("tools") ? body.get("tools") : Json.MAPPER.createArrayNode());
        echo.set("tool_choice", choice == null ? Json.MAPPER.getNodeFactory().textNode("auto") : choice);
        echo.put("parallel_tool_calls", p.bool("parallel_tool_calls").orElse(true));
        echo.set("temperature", body.hasNonNull("temperature") ? body.get("temperature") : Json.MAPPER.getNodeFactory().numberNode(1.0));
        echo.set("top_p", body.hasNonNull("top_p") ? body.get("top_p") : Json.MAPPER.getNodeFactory().numberNode(1.0));
        echo.set("max_output_tokens", body.hasNonNull("max_output_tokens") ? body.get("max_output_tokens") : Json.MAPPER.nullNode());
        echo.set("text", body.hasNonNull("text") ? body.get("text") : Json.object().set("format", Json.object().put("type", "text")));
        echo.set("metadata", body.hasNonNull("metadata") ? body.get("metadata") : Json.object());
        echo.put("store", store);
        return new ResponsesRequest(chat, conversation, stream, store, echo);
    }

    /** {@code input}: a string (one user message) or an array of items. */
    private static List<ChatMessage> input(JsonNode input) {
        if (input.isTextual()) {
            return List.of(new ChatMessage("user", input.textValue()));
        }
        if (!(input instanceof ArrayNode items)) {
            throw ApiException.invalidType("input", "input must be a string or an array of items, got " + Params.kind(input) + ".");
        }
        List<ChatMessage> out = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = "input[" + i + "]";
            if (!(items.get(i) instanceof ObjectNode item)) {
                throw ApiException.invalidType(at, at + " must be an object.");
            }
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            if (!type.equals("function_call") && !calls.isEmpty()) {
                out.add(ChatMessage.assistantCalls("", calls));
                calls = new ArrayList<>();
            }
            switch (type) {
                case "message" -> out.add(message(item, at));
                case "function_call" -> calls.add(new ToolCall(text(item, "call_id", at), text(item, "name", at), text(item, "arguments", at)));
                case "function_call_output" -> {
                    JsonNode output = item.get("output");
                    String result = output != null && output.isTextual() ? output.textValue() : output == null ? "" : Json.MAPPER.valueToTree(output).toString();
                    out.add(ChatMessage.toolResult(text(item, "call_id", at), result));
                }
                case "reasoning" -> { } // our own earlier reasoning: templates drop it from history anyway
                default -> throw ApiException.unsupported(at + ".type", at + ".type '" + type + "' is not supported; send message, "
                        + "function_call or function_call_output items.");
            }
        }
        if (!calls.isEmpty()) {
            out.add(ChatMessage.assistantCalls("", calls));
        }
        return out;
    }

    private static ChatMessage message(ObjectNode item, String at) {
        String role = text(item, "role", at);
        if (!ROLES.contains(role)) {
            throw ApiException.invalidValue(at + ".role", at + ".role must be user, system, developer or assistant, got '" + role + "'.");
        }
        JsonNode content = item.get("content");
        String text;
        if (content != null && content.isTextual()) {
            text = content.textValue();
        } else if (content instanceof ArrayNode parts) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < parts.size(); j++) {
                JsonNode part = parts.get(j);
                String type = part.path("type").asText("");
                if (!Set.of("input_text", "output_text", "text").contains(type)) {
                    throw ApiException.unsupported(at + ".content[" + j + "].type", "content part type '" + type
                            + "' is not supported; this server takes text (input_text, output_text) only.");
                }
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(part.path("text").asText(""));
            }
            text = sb.toString();
        } else {
            throw ApiException.invalidType(at + ".content", at + ".content must be a string or an array of text parts.");
        }
        return new ChatMessage(role.equals("developer") ? "system" : role, text);
    }

    private static String text(ObjectNode item, String field, String at) {
        JsonNode v = item.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiException.missing(at + "." + field);
        }
        return v.textValue();
    }

    /** Flat function tools ({@code {type, name, description, parameters, strict}}) as chat tools. */
    private static ArrayNode tools(ArrayNode tools) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String type = t.path("type").asText("");
            if (!type.equals("function")) {
                throw ApiException.unsupported("tools[" + i + "].type", "tools[" + i + "].type '" + type
                        + "' is not supported; this server offers function tools only.");
            }
            ObjectNode fn = Json.object();
            t.properties().forEach(e -> {
                if (!e.getKey().equals("type")) {
                    fn.set(e.getKey(), e.getValue());
                }
            });
            ObjectNode tool = out.addObject();
            tool.put("type", "function");
            tool.set("function", t.has("function") ? t.get("function") : fn);
        }
        return out;
    }

    /** {@code text.format} as a chat {@code response_format}. */
    private static ObjectNode responseFormat(ObjectNode format) {
        String type = format.path("type").asText("text");
        if (!type.equals("json_schema")) {
            return Json.object().put("type", type);
        }
        ObjectNode schema = Json.object();
        format.properties().forEach(e -> {
            if (!e.getKey().equals("type")) {
                schema.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode rf = Json.object().put("type", "json_schema");
        rf.set("json_schema", schema);
        return rf;
    }
}
