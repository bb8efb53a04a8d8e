package io.infernet.server;

import io.infernet.engines.ChatMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Responses kept for {@code previous_response_id}: each id maps to its conversation (the input
 * messages, without instructions, and the assistant's answer), in memory, the least recently used
 * dropped past {@code capacity} entries or {@code maxChars} characters of message text. Thread-safe.
 */
final class ResponseStore {
    static final int DEFAULT_CAPACITY = 1000;
    static final long DEFAULT_MAX_CHARS = 64L << 20;

    private final int capacity;
    private final long maxChars;
    private long chars; // guarded by this
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    private record Entry(List<ChatMessage> conversation, long chars) {}

    ResponseStore(int capacity) {
        this(capacity, DEFAULT_MAX_CHARS);
    }

    ResponseStore(int capacity, long maxChars) {
        if (capacity < 1 || maxChars < 1) {
            throw new IllegalArgumentException("capacity and maxChars must be >= 1");
        }
        this.capacity = capacity;
        this.maxChars = maxChars;
    }

    synchronized void put(String id, List<ChatMessage> conversation) {
        long size = conversation.stream().mapToLong(m -> m.content().length() + (m.reasoningContent() == null ? 0 : m.reasoningContent().length())
                + m.toolCalls().stream().mapToLong(c -> c.argumentsJson().length() + c.name().length()).sum()).sum();
        Entry old = entries.put(id, new Entry(List.copyOf(conversation), size));
        chars += size - (old == null ? 0 : old.chars());
        var it = entries.entrySet().iterator();
        while ((entries.size() > capacity || chars > maxChars) && it.hasNext()) {
            Map.Entry<String, Entry> eldest = it.next();
            if (eldest.getKey().equals(id) && entries.size() == 1) {
                break; // the newest stays even when it alone is over the bound
            }
            chars -= eldest.getValue().chars();
            it.remove();
        }
    }

    /** The conversation of a stored response, or null when it is unknown or was dropped. */
    synchronized List<ChatMessage> get(String id) {
        Entry e = entries.get(id);
        return e == null ? null : e.conversation();
    }

    synchronized int size() {
        return entries.size();
    }
}
