package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the deltas of one parse: merges adjacent pieces of the same kind into one delta per
 * batch, and keeps the message they add up to.
 */
final class Emitter {
    private List<ChatDelta> batch = new ArrayList<>();
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private final StringBuilder openArguments = new StringBuilder();
    private String openId;
    private String openName;

    void content(String text) {
        if (text.isEmpty()) {
            return;
        }
        content.append(text);
        if (!batch.isEmpty() && batch.getLast() instanceof ChatDelta.Content last) {
            batch.set(batch.size() - 1, new ChatDelta.Content(last.text() + text));
        } else {
            batch.add(new ChatDelta.Content(text));
        }
    }

    void reasoning(String text) {
        if (text.isEmpty()) {
            return;
        }
        reasoning.append(text);
        if (!batch.isEmpty() && batch.getLast() instanceof ChatDelta.Reasoning last) {
            batch.set(batch.size() - 1, new ChatDelta.Reasoning(last.text() + text));
        } else {
            batch.add(new ChatDelta.Reasoning(text));
        }
    }

    void start(String id, String name) {
        if (openName != null) {
            throw new IllegalStateException("tool call " + calls.size() + " started while another is open");
        }
        openId = id;
        openName = name;
        openArguments.setLength(0);
        batch.add(new ChatDelta.ToolCallDelta(calls.size(), id, name, ""));
    }

    void arguments(String piece) {
        if (openName == null) {
            throw new IllegalStateException("arguments outside a tool call");
        }
        if (piece.isEmpty()) {
            return;
        }
        openArguments.append(piece);
        int index = calls.size();
        if (!batch.isEmpty() && batch.getLast() instanceof ChatDelta.ToolCallDelta last && last.index() == index) {
            batch.set(batch.size() - 1, new ChatDelta.ToolCallDelta(index, last.id(), last.name(), last.arguments() + piece));
        } else {
            batch.add(new ChatDelta.ToolCallDelta(index, null, null, piece));
        }
    }

    void end(boolean complete) {
        if (openName == null) {
            throw new IllegalStateException("no tool call to end");
        }
        batch.add(new ChatDelta.ToolCallEnd(calls.size(), complete));
        calls.add(new ToolCall(openId, openName, openArguments.toString(), complete));
        openName = null;
        openId = null;
    }

    boolean callOpen() {
        return openName != null;
    }

    List<ChatDelta> takeBatch() {
        List<ChatDelta> taken = batch;
        batch = new ArrayList<>();
        return taken;
    }

    ParsedMessage message() {
        return new ParsedMessage(content.toString(), reasoning.toString(), calls);
    }
}
