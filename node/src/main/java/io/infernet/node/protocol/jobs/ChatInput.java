package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A chat job's {@code input_spec}: {@code {messages, max_tokens, temperature}}. Message content
 * is a string or an OpenAI-style array of parts whose {@code text} parts are joined.
 *
 * @param maxTokens   most tokens to generate ({@link #DEFAULT_MAX_TOKENS} when absent)
 * @param temperature sampling temperature ({@link #DEFAULT_TEMPERATURE} when absent)
 */
record ChatInput(List<ChatMessage> messages, int maxTokens, float temperature) {

    static final int DEFAULT_MAX_TOKENS = 512;
    static final float DEFAULT_TEMPERATURE = 0.7f;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    ChatInput {
        messages = List.copyOf(messages);
    }

    /** @throws IllegalArgumentException with a message naming the bad field */
    static ChatInput parse(JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            throw bad("expected an object with messages, max_tokens, temperature");
        }
        JsonNode msgs = spec.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw bad("messages must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String role = m.path("role").isTextual() ? m.get("role").asText() : null;
            if (role == null || !ROLES.contains(role)) {
                throw bad("messages[" + i + "].role must be one of system, user, assistant, tool");
            }
            out.add(new ChatMessage(role, content(m.get("content"), i)));
        }
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
        return new ChatInput(out, maxTokens, temperature);
    }

    private static String content(JsonNode c, int i) {
        if (c != null && c.isTextual()) {
            return c.asText();
        }
        if (c != null && c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                    sb.append(part.get("text").asText());
                } else {
                    throw bad("messages[" + i + "].content may only hold text parts");
                }
            }
            return sb.toString();
        }
        throw bad("messages[" + i + "].content must be a string or an array of text parts");
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("invalid input_spec: " + what);
    }
}
