package io.infernet.chat.parse;

import java.util.Objects;

/**
 * One tool call parsed from model output, in the shape OpenAI's {@code message.tool_calls[i]}
 * carries it (its {@code type} is always {@code "function"}).
 *
 * @param id            the call id: the one the format carries (Mistral {@code [CALL_ID]}, Kimi
 *                      {@code functions.name:0}, Command-R {@code tool_call_id}), else a generated
 *                      {@code call_...} id
 * @param name          the function name
 * @param argumentsJson the arguments as OpenAI sends them: a JSON object written compactly (no
 *                      whitespace outside strings, keys in the model's order, string escapes as
 *                      the model wrote them). Not valid JSON only when {@code complete} is false
 * @param complete      false when the output ended (or broke) inside the call: the arguments are
 *                      then the valid prefix the model wrote, never repaired
 */
public record ToolCall(String id, String name, String argumentsJson, boolean complete) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
    }

    /** A complete call. */
    public ToolCall(String id, String name, String argumentsJson) {
        this(id, name, argumentsJson, true);
    }
}
