package io.infernet.engines;

import io.infernet.chat.parse.ToolCall;
import java.util.List;
import java.util.Objects;

/**
 * One message of a chat, as OpenAI's {@code messages} carry it.
 *
 * @param role             system, user, assistant or tool ({@code developer} is read as system)
 * @param content          the text: a string content, or the text parts joined with newlines; "" when absent
 * @param parts            the text parts when the content was given as parts (templates that read parts get them),
 *                         null when it was a string or absent
 * @param name             the author's name ({@code name}), null when absent
 * @param toolCallId       a tool message's {@code tool_call_id}, null when absent
 * @param toolCalls        an assistant message's {@code tool_calls} (arguments as the JSON text sent), empty when none
 * @param reasoningContent an assistant message's {@code reasoning_content}, null when absent
 */
public record ChatMessage(String role, String content, List<String> parts, String name, String toolCallId, List<ToolCall> toolCalls,
                          String reasoningContent) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        parts = parts == null ? null : List.copyOf(parts);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A plain text message. */
    public ChatMessage(String role, String content) {
        this(role, content, null, null, null, List.of(), null);
    }

    /** An assistant message carrying tool calls (content may be ""). */
    public static ChatMessage assistantCalls(String content, List<ToolCall> calls) {
        return new ChatMessage("assistant", content, null, null, null, calls, null);
    }

    /** A tool result answering call {@code toolCallId}. */
    public static ChatMessage toolResult(String toolCallId, String content) {
        return new ChatMessage("tool", content, null, null, toolCallId, List.of(), null);
    }

    public ChatMessage withReasoning(String reasoning) {
        return new ChatMessage(role, content, parts, name, toolCallId, toolCalls, reasoning);
    }
}
