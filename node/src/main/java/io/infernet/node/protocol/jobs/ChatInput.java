package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatMessages;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.ToolsParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat job's {@code input_spec}: {@code {messages, max_tokens, temperature}} and optionally the
 * chat fields of the HTTP API ({@code tools}, {@code tool_choice}, {@code parallel_tool_calls},
 * {@code chat_template_kwargs}, {@code reasoning_format}, {@code reasoning_effort}); all read as
 * the HTTP API reads them ({@link ChatMessages}: developer is system, content a string or text
 * parts; {@link ToolsParser}), except that any other non-empty role string is taken as it is: the
 * reference's gateway (apps/web/app/v1/chat/completions/route.js, apps/web/app/api/chat/route.js)
 * accepts any string role, and the model's chat template renders it.
 *
 * @param maxTokens   most tokens to generate ({@link #DEFAULT_MAX_TOKENS} when absent)
 * @param temperature sampling temperature ({@link #DEFAULT_TEMPERATURE} when absent)
 * @param chat        tools and template options
 */
record ChatInput(List<ChatMessage> messages, int maxTokens, float temperature, ChatOptions chat) {

    static final int DEFAULT_MAX_TOKENS = 512;
    private static final Set<String> KNOWN_ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    static final float DEFAULT_TEMPERATURE = 0.7f;

    ChatInput {
        messages = List.copyOf(messages);
    }

    /** @throws IllegalArgumentException with a message naming the bad field */
    static ChatInput parse(JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            throw bad("expected an object with messages, max_tokens, temperature");
        }
        JsonNode messages = spec.get("messages");
        Map<Integer, String> otherRoles = new HashMap<>();
        if (messages instanceof ArrayNode arr) {
            messages = arr.deepCopy();
            for (int i = 0; i < messages.size(); i++) {
                JsonNode role = messages.get(i).get("role");
                if (role != null && role.isTextual() && !role.textValue().isBlank() && !KNOWN_ROLES.contains(role.textValue())) {
                    otherRoles.put(i, role.textValue());
                    ((ObjectNode) messages.get(i)).put("role", "user"); // read as a user message is read
                }
            }
        }
        List<ChatMessage> out;
        ChatOptions chat;
        try {
            out = new ArrayList<>(ChatMessages.parse(messages));
            chat = ToolsParser.parse((com.fasterxml.jackson.databind.node.ObjectNode) spec);
        } catch (ChatMessages.InvalidMessageException e) {
            throw bad(e.getMessage());
        }
        otherRoles.forEach((i, role) -> out.set(i, new ChatMessage(role, out.get(i).content())));
        int maxTokens = DEFAULT_MAX_TOKENS;
        JsonNode mt = spec.get("max_tokens");
        if (mt != null && !mt.isNull()) {
            if (!mt.isIntegralNumber() || !mt.canConvertToInt() || mt.intValue() < 1) {
                throw bad("max_tokens must be an integer >= 1");
            }
            maxTokens = mt.intValue();
        }
        float temperature = DEFAULT_TEMPERATURE;
        JsonNode t = spec.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || !Double.isFinite(t.doubleValue()) || t.doubleValue() < 0 || t.doubleValue() > 2) {
                throw bad("temperature must be a number in [0, 2]");
            }
            temperature = t.floatValue();
        }
        return new ChatInput(out, maxTokens, temperature, chat);
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("invalid input_spec: " + what);
    }
}
