package io.infernet.runtime.serve;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Saved sequence states (KV cells) in off-heap memory, bounded by a byte budget
 * ({@code --cache-ram}), least recently used out first. An entry is keyed by the exact tokens
 * whose KV it holds; a lookup matches on the exact token prefix, never on a hash alone, so one
 * client's cached conversation can never stand in for another's.
 *
 * <p>Each entry owns a confined arena of the engine thread, freed when the entry goes (a
 * shared arena's close needs a handshake with every thread: too dear on the serving path).
 * Pinned entries (the states of preempted sequences, which must come back) are never evicted.
 * Used by one thread (the engine's) only; {@link #stats()} may be read from any thread.
 */
public final class HostPromptCache implements AutoCloseable {

    /** One saved state. */
    public static final class Entry {
        private final int[] tokens;
        private final Arena arena;
        private final MemorySegment state;
        private final long allocated;
        private long lastUsed;
        private boolean pinned;

        Entry(int[] tokens, Arena arena, MemorySegment state, long allocated) {
            this.tokens = tokens;
            this.arena = arena;
            this.state = state;
            this.allocated = allocated;
        }

        public int tokenCount() {
            return tokens.length;
        }

        int[] tokens() {
            return tokens;
        }

        public MemorySegment state() {
            return state;
        }

        public long bytes() {
            return state.byteSize();
        }

        public boolean pinned() {
            return pinned;
        }
    }

    /** A lookup result: the entry and how many leading tokens of the prompt it covers. */
    public record Match(Entry entry, int prefixLength) {}

    /** Counters for /metrics. */
    public record Stats(int entries, long bytesUsed, long capacityBytes, long stores, long evictions, long restores) {}

    private final long capacity;
    private final List<Entry> entries = new ArrayList<>();
    private long used;
    private long clock;
    private volatile Stats stats;
    private long stores;
    private long evictions;
    private long restores;

    public HostPromptCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0 bytes");
        }
        this.capacity = capacityBytes;
        publish();
    }

    public long capacityBytes() {
        return capacity;
    }

    /** The entry sharing the longest token prefix with {@code prompt} (at least {@code minPrefix} tokens). */
    public Optional<Match> longestPrefix(int[] prompt, int promptLength, int minPrefix) {
        Match best = null;
        for (Entry e : entries) {
            int n = Math.min(e.tokens.length, promptLength);
            int m = Arrays.mismatch(e.tokens, 0, n, prompt, 0, n);
            int lcp = m < 0 ? n : m;
            if (lcp >= minPrefix && (best == null || lcp > best.prefixLength())) {
                best = new Match(e, lcp);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Whether an entry already holds these tokens or a longer run starting with them. */
    public boolean covers(int[] tokens, int length) {
        return covering(tokens, length).isPresent();
    }

    /** The entry holding these tokens or a longer run starting with them, if any. */
    public Optional<Entry> covering(int[] tokens, int length) {
        for (Entry e : entries) {
            if (e.tokens.length >= length && Arrays.equals(e.tokens, 0, length, tokens, 0, length)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Stores a state of {@code bytes} bytes for {@code tokens[0..length)}, evicting least
     * recently used unpinned entries to make room. Entries whose tokens are a prefix of the new
     * ones are dropped (the new one covers them).
     *
     * @param writer copies the state into the given segment and returns the bytes written (0 = failed)
     * @return the entry, or empty if it cannot fit even after evicting everything unpinned, or the write failed
     */
    public Optional<Entry> store(int[] tokens, int length, long bytes, boolean pinned, ToLongFunction<MemorySegment> writer) {
        if (bytes <= 0 || bytes > capacity) {
            return Optional.empty();
        }
        int[] key = Arrays.copyOf(tokens, length);
        entries.removeIf(e -> {
            boolean prefix = !e.pinned && e.tokens.length <= length && Arrays.equals(e.tokens, 0, e.tokens.length, key, 0, e.tokens.length);
            if (prefix) {
                free(e);
            }
            return prefix;
        });
        if (!makeRoom(bytes)) {
            publish();
            return Optional.empty();
        }
        Arena arena = Arena.ofConfined();
        MemorySegment seg = arena.allocate(bytes, 64);
        long written;
        try {
            written = writer.applyAsLong(seg);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        if (written <= 0 || written > bytes) {
            arena.close();
            publish();
            return Optional.empty();
        }
        Entry e = new Entry(key, arena, seg.asSlice(0, written), bytes);
        e.pinned = pinned;
        e.lastUsed = ++clock;
        entries.add(e);
        used += bytes;
        stores++;
        publish();
        return Optional.of(e);
    }

    /** Marks a use (LRU) and counts a restore. */
    public void restored(Entry e) {
        e.lastUsed = ++clock;
        restores++;
        publish();
    }

    public void unpin(Entry e) {
        e.pinned = false;
    }

    public void remove(Entry e) {
        if (entries.remove(e)) {
            free(e);
            publish();
        }
    }

    private boolean makeRoom(long bytes) {
        long pinnedBytes = 0;
        for (Entry e : entries) {
            if (e.pinned) {
                pinnedBytes += e.allocated;
            }
        }
        if (capacity - pinnedBytes < bytes) {
            return false; // even evicting every unpinned entry would not make room: evict nothing
        }
        while (capacity - used < bytes) {
            Entry victim = null;
            for (Entry e : entries) {
                if (!e.pinned && (victim == null || e.lastUsed < victim.lastUsed)) {
                    victim = e;
                }
            }
            if (victim == null) {
                return false;
            }
            entries.remove(victim);
            free(victim);
            evictions++;
        }
        return true;
    }

    private void free(Entry e) {
        used -= e.allocated;
        e.arena.close();
    }

    private void publish() {
        stats = new Stats(entries.size(), used, capacity, stores, evictions, restores);
    }

    public Stats stats() {
        return stats;
    }

    /** Tokens of every entry, most recent last (for tests and debugging). */
    List<int[]> keys() {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((x, y) -> Long.compare(x.lastUsed, y.lastUsed));
        return sorted.stream().map(e -> e.tokens).toList();
    }

    @Override
    public void close() {
        for (Entry e : entries) {
            e.arena.close();
        }
        entries.clear();
        used = 0;
        publish();
    }
}
