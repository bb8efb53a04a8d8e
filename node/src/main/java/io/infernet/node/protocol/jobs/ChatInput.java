package io.infernet.node.protocol.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.ChatMessage;
import io.infernet.engines.ChatMessages;
import io.infernet.engines.ChatOptions;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.ToolsParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat job's {@code input_spec}: {@code {messages, max_tokens, temperature}} and optionally the
 * chat fields of the HTTP API ({@code tools}, {@code tool_choice}, {@code parallel_tool_calls},
 * {@code chat_template_kwargs}, {@code reasoning_format}, {@code reasoning_effort}) and its
 * {@code response_format} (structured output: the job's text is then JSON that validates); all
 * read as the HTTP API reads them ({@link ChatMessages}: developer is system, content a string or
 * text parts; {@link ToolsParser}, {@link DecodingOptions.Format#parse}), except that any other
 * non-empty role string is taken as it is: the reference's gateway
 * (apps/web/app/v1/chat/completions/route.js, apps/web/app/api/chat/route.js) accepts any string
 * role, and the model's chat template renders it. A job's result is one text, so {@code n > 1} and
 * {@code logprobs} are refused rather than dropped.
 *
 * @param maxTokens   most tokens to generate ({@link #DEFAULT_MAX_TOKENS} when absent)
 * @param temperature sampling temperature ({@link #DEFAULT_TEMPERATURE} when absent)
 * @param chat        tools and template options
 * @param format      the output's format (text when absent)
 */
record ChatInput(List<ChatMessage> messages, int maxTokens, float temperature, ChatOptions chat, DecodingOptions.Format format) {

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
        DecodingOptions.Format format;
        try {
            format = DecodingOptions.Format.parse(spec.get("response_format"));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        JsonNode n = spec.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw bad("n must be 1: a job's result is one text");
        }
        JsonNode lp = spec.get("logprobs");
        if (lp != null && !lp.isNull() && !(lp.isBoolean() && !lp.booleanValue())) {
            throw bad("logprobs are not carried by job results; leave logprobs out");
        }
        return new ChatInput(out, maxTokens, temperature, chat, format);
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("invalid input_spec: " + what);
    }
}
