package io.infernet.node.protocol.envelope;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nonces accepted recently, as the control plane keeps them: keyed by nonce, each kept for
 * {@code ttl}, at most {@code maxEntries} (the oldest evicted first). Thread-safe.
 */
final class NonceCache {

    private final Duration ttl;
    private final int maxEntries;
    /** Insertion order is acceptance order, so the head is always the oldest entry. */
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    NonceCache(Duration ttl, int maxEntries) {
        if (ttl.isNegative() || ttl.isZero() || maxEntries < 1) {
            throw new IllegalArgumentException("nonce cache needs ttl > 0 and maxEntries >= 1");
        }
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    /**
     * Records {@code nonce} as used at {@code now}, unless it is already recorded and not yet
     * expired; returns false in that case. Check and record are one atomic step.
     */
    synchronized boolean tryRecord(String nonce, Instant now) {
        expire(now);
        if (seen.containsKey(nonce)) {
            return false;
        }
        while (seen.size() >= maxEntries) {
            Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
            it.next();
            it.remove();
        }
        seen.put(nonce, now);
        return true;
    }

    synchronized int size() {
        return seen.size();
    }

    private void expire(Instant now) {
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Instant> e = it.next();
            if (e.getValue().plus(ttl).isAfter(now)) {
                break; // entries after the head are younger
            }
            it.remove();
        }
    }
}
