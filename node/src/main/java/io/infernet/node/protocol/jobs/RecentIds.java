package io.infernet.node.protocol.jobs;

import java.util.LinkedHashMap;
import java.util.Map;

/** The last {@code capacity} ids seen (insertion order, oldest forgotten first). Thread-safe. */
final class RecentIds {

    private final LinkedHashMap<String, Boolean> ids;

    RecentIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.ids = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(String id) {
        ids.put(id, Boolean.TRUE);
    }

    synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }

    synchronized int size() {
        return ids.size();
    }
}
