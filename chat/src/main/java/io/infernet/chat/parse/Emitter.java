package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the deltas of one parse: adjacent pieces of the same kind become one delta per batch
 * (built in a buffer, so a long run costs linear time), and it keeps the message they add up to.
 */
final class Emitter {
    private enum Kind { NONE, CONTENT, REASONING, ARGUMENTS }

    private final List<ChatDelta> batch = new ArrayList<>();
    /** The delta being built: its kind, text, and for arguments the call it belongs to. */
    private Kind pendingKind = Kind.NONE;
    private final StringBuilder pending = new StringBuilder();
    private int pendingIndex;
    private String pendingId;
    private String pendingName;

    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private final StringBuilder openArguments = new StringBuilder();
    private String openId;
    private String openName;

    void content(String text) {
        if (!text.isEmpty()) {
            content.append(text);
            append(Kind.CONTENT, text);
        }
    }

    void reasoning(String text) {
        if (!text.isEmpty()) {
            reasoning.append(text);
            append(Kind.REASONING, text);
        }
    }

    void start(String id, String name) {
        if (openName != null) {
            throw new IllegalStateException("tool call " + calls.size() + " started while another is open");
        }
        flush();
        openId = id;
        openName = name;
        openArguments.setLength(0);
        pendingKind = Kind.ARGUMENTS;
        pendingIndex = calls.size();
        pendingId = id;
        pendingName = name;
    }

    void arguments(String piece) {
        if (openName == null) {
            throw new IllegalStateException("arguments outside a tool call");
        }
        if (!piece.isEmpty()) {
            openArguments.append(piece);
            if (pendingKind != Kind.ARGUMENTS) {
                flush();
                pendingKind = Kind.ARGUMENTS;
                pendingIndex = calls.size();
            }
            pending.append(piece);
        }
    }

    void end(boolean complete) {
        if (openName == null) {
            throw new IllegalStateException("no tool call to end");
        }
        flush();
        batch.add(new ChatDelta.ToolCallEnd(calls.size(), complete));
        calls.add(new ToolCall(openId, openName, openArguments.toString(), complete));
        openName = null;
        openId = null;
    }

    boolean callOpen() {
        return openName != null;
    }

    List<ChatDelta> takeBatch() {
        flush();
        List<ChatDelta> taken = List.copyOf(batch);
        batch.clear();
        return taken;
    }

    ParsedMessage message() {
        return new ParsedMessage(content.toString(), reasoning.toString(), calls);
    }

    private void append(Kind kind, String text) {
        if (pendingKind != kind) {
            flush();
            pendingKind = kind;
        }
        pending.append(text);
    }

    /** Turns the delta being built into a delta of the batch. */
    private void flush() {
        switch (pendingKind) {
            case NONE -> {
                return;
            }
            case CONTENT -> batch.add(new ChatDelta.Content(pending.toString()));
            case REASONING -> batch.add(new ChatDelta.Reasoning(pending.toString()));
            case ARGUMENTS -> {
                if (pendingName != null || !pending.isEmpty()) {
                    batch.add(new ChatDelta.ToolCallDelta(pendingIndex, pendingId, pendingName, pending.toString()));
                }
            }
        }
        pending.setLength(0);
        pendingKind = Kind.NONE;
        pendingId = null;
        pendingName = null;
    }
}
