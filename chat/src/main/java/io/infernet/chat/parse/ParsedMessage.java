package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An assistant message as parsed from the whole model output: what goes into OpenAI's
 * {@code message.content}, {@code message.reasoning_content} and {@code message.tool_calls}.
 * Empty strings mean "none" ({@code content: null} on the wire is the caller's choice).
 */
public record ParsedMessage(String content, String reasoningContent, List<ToolCall> toolCalls) {
    public ParsedMessage {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(reasoningContent, "reasoningContent");
        toolCalls = List.copyOf(toolCalls);
    }

    public static ParsedMessage ofContent(String content) {
        return new ParsedMessage(content, "", List.of());
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /**
     * The message that a client accumulating the given stream of deltas ends up with (OpenAI
     * semantics: content and reasoning concatenate, tool calls are keyed by index, the first delta
     * of a call carries its id and name, later ones append to its arguments).
     *
     * @throws IllegalArgumentException when the deltas break those rules (an index skipped, a call
     *                                  continued before it was started)
     */
    public static ParsedMessage fold(List<? extends ChatDelta> deltas) {
        StringBuilder content = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<String[]> calls = new ArrayList<>();
        List<Boolean> complete = new ArrayList<>();
        for (ChatDelta delta : deltas) {
            switch (delta) {
                case ChatDelta.Content c -> content.append(c.text());
                case ChatDelta.Reasoning r -> reasoning.append(r.text());
                case ChatDelta.ToolCallDelta t -> {
                    if (t.name() != null) {
                        if (t.index() != calls.size()) {
                            throw new IllegalArgumentException("tool call " + t.index() + " started after " + calls.size() + " calls");
                        }
                        calls.add(new String[] {t.id(), t.name(), t.arguments()});
                        complete.add(false);
                    } else {
                        if (t.index() >= calls.size()) {
                            throw new IllegalArgumentException("tool call " + t.index() + " continued before it started");
                        }
                        calls.get(t.index())[2] += t.arguments();
                    }
                }
                case ChatDelta.ToolCallEnd e -> complete.set(e.index(), e.complete());
            }
        }
        List<ToolCall> toolCalls = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            String[] c = calls.get(i);
            toolCalls.add(new ToolCall(c[0], c[1], c[2], complete.get(i)));
        }
        return new ParsedMessage(content.toString(), reasoning.toString(), toolCalls);
    }
}
