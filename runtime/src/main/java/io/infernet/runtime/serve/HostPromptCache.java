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
 * <p>An entry's memory is a block: off-heap memory owned by a confined arena of the engine thread
 * (a shared arena's close needs a handshake with every thread: too dear on the serving path). When
 * an entry goes, its block is kept as a spare, and a later state of a size it can hold (up to
 * twice smaller) is written into it instead of into fresh memory: on a busy server the cache is
 * full and every new state evicts an old one, and fresh memory costs its page faults on the
 * engine thread (HostCacheStoreBenchmark, a full cache storing a state: 32 MB 16.7 ms into fresh
 * memory, 1.4 ms into a used block; 256 MB 125 ms against 18 ms). Spares count against the budget
 * like entries; the oldest are freed first when room is needed.
 * An entry reads its block through a view of its own, closed when the entry goes, so an entry
 * held past its eviction fails on access instead of reading the state that replaced it.
 * Pinned entries (the states of preempted sequences, which must come back) are never evicted.
 * Used by one thread (the engine's) only; {@link #stats()} may be read from any thread.
 */
public final class HostPromptCache implements AutoCloseable {

    /** Off-heap memory for states, kept for reuse while the budget allows. */
    private record Block(Arena owner, MemorySegment memory) {
        long size() {
            return memory.byteSize();
        }
    }

    /** One saved state. */
    public static final class Entry {
        private final int[] tokens;
        private final Block block;
        private final Arena view;
        private final MemorySegment state;
        private long lastUsed;
        private boolean pinned;

        Entry(int[] tokens, Block block, Arena view, MemorySegment state) {
            this.tokens = tokens;
            this.block = block;
            this.view = view;
            this.state = state;
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

    /**
     * Counters for /metrics.
     *
     * @param bytesUsed  the blocks of the entries
     * @param spareBytes blocks kept for reuse
     */
    public record Stats(int entries, long bytesUsed, long spareBytes, long capacityBytes, long stores, long evictions, long restores) {
        /** Host memory the cache holds: entries and spares. */
        public long bytesHeld() {
            return bytesUsed + spareBytes;
        }
    }

    private final long capacity;
    private final List<Entry> entries = new ArrayList<>();
    /** Blocks of entries gone, oldest first. */
    private final List<Block> spares = new ArrayList<>();
    private long spareBytes;
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
     * @return the entry, or empty if it cannot fit even after evicting everything unpinned, the host has no memory
     *         for it now, or the write failed
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
        Block block = takeSpare(bytes, capacity - used);
        if (block == null) {
            freeSpares(capacity - used - bytes);
            try {
                block = freshBlock(bytes);
            } catch (OutOfMemoryError e) { // the host is out of memory now: the tokens are computed again instead
                publish();
                return Optional.empty();
            }
        } else {
            freeSpares(capacity - used - block.size());
        }
        Arena view = Arena.ofConfined();
        MemorySegment seg = block.memory().reinterpret(bytes, view, null);
        long written;
        try {
            written = writer.applyAsLong(seg);
        } catch (RuntimeException e) {
            view.close();
            block.owner().close();
            publish();
            throw e;
        }
        if (written <= 0 || written > bytes) {
            view.close();
            block.owner().close();
            publish();
            return Optional.empty();
        }
        Entry e = new Entry(key, block, view, seg.asSlice(0, written));
        e.pinned = pinned;
        e.lastUsed = ++clock;
        entries.add(e);
        used += block.size();
        stores++;
        publish();
        return Optional.of(e);
    }

    /** The smallest spare that holds {@code bytes}, is at most twice as large and at most {@code room}, taken off the spares; null if none. */
    private Block takeSpare(long bytes, long room) {
        Block best = null;
        for (Block b : spares) {
            if (b.size() >= bytes && b.size() <= Math.min(2 * bytes, room) && (best == null || b.size() < best.size())) {
                best = b;
            }
        }
        if (best != null) {
            spares.remove(best);
            spareBytes -= best.size();
        }
        return best;
    }

    /** Frees the oldest spares until they hold at most {@code keep} bytes. */
    private void freeSpares(long keep) {
        while (spareBytes > Math.max(0, keep) && !spares.isEmpty()) {
            Block b = spares.removeFirst();
            spareBytes -= b.size();
            b.owner().close();
        }
    }

    /** Fresh memory, in an arena of its own. */
    private static Block freshBlock(long bytes) {
        Arena owner = Arena.ofConfined();
        try {
            return new Block(owner, owner.allocate(bytes, 64));
        } catch (OutOfMemoryError e) {
            owner.close();
            throw e;
        }
    }

    private void spare(Block b) {
        spares.add(b);
        spareBytes += b.size();
    }

    /**
     * Memory for a state kept only a short while (a running slot's, copied into the prompts that
     * share its prefix within one step): a spare that holds it when there is one, else fresh
     * memory. Outside the budget while held; {@link #release} takes it back.
     *
     * @throws OutOfMemoryError when the host has no memory for it
     */
    public Scratch scratch(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        Block block = takeSpare(bytes, Long.MAX_VALUE);
        if (block == null) {
            block = freshBlock(bytes);
        }
        publish();
        Arena view = Arena.ofConfined();
        return new Scratch(block, view, block.memory().reinterpret(bytes, view, null));
    }

    /** Ends a {@link #scratch}: its memory is kept as a spare while the budget has room for it, else freed. */
    public void release(Scratch s) {
        s.view.close();
        if (used + spareBytes + s.block.size() <= capacity) {
            spare(s.block);
        } else {
            s.block.owner().close();
        }
        publish();
    }

    /** Memory lent by {@link #scratch}; {@link #segment} fails on access once released. */
    public static final class Scratch {
        private final Block block;
        private final Arena view;
        private final MemorySegment segment;

        private Scratch(Block block, Arena view, MemorySegment segment) {
            this.block = block;
            this.view = view;
            this.segment = segment;
        }

        public MemorySegment segment() {
            return segment;
        }
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
                pinnedBytes += e.block.size();
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

    /** An entry gone: its view closes (a holder of it fails on access), its block becomes a spare. */
    private void free(Entry e) {
        used -= e.block.size();
        e.view.close();
        spare(e.block);
    }

    private void publish() {
        stats = new Stats(entries.size(), used, spareBytes, capacity, stores, evictions, restores);
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
            e.view.close();
            e.block.owner().close();
        }
        entries.clear();
        used = 0;
        freeSpares(0);
        publish();
    }
}
