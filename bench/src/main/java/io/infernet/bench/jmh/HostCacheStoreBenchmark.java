package io.infernet.bench.jmh;

import io.infernet.runtime.serve.HostPromptCache;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Saving a sequence state into a full host cache, as a busy server does on its engine thread: the
 * least recently used entry is evicted and the new state written (a copy of {@code megabytes} MB,
 * standing in for llama.cpp's {@code llama_state_seq_get_data}). {@code fullCacheStore} is the
 * cache as it is; {@code freshMemory} is what a store cost before it reused evicted entries'
 * memory: a fresh arena allocation, the copy into it, and the evicted entry's memory freed. A
 * 7-8B model holds about 128 KB of KV per token, so 32 MB is a 256-token conversation and
 * 256 MB a 2,000-token one. {@code copyForOneStep} is the cache's scratch memory for a running
 * slot's state copied within a step, in a cache with room for it beside one entry.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HostCacheStoreBenchmark extends NativeFork {

    @Param({"2", "32", "256"})
    public int megabytes;

    private long bytes;
    private MemorySegment state;
    private HostPromptCache cache;
    private HostPromptCache copies;
    private int next;
    private Arena previous;

    @Setup(Level.Trial)
    public void setUp() {
        bytes = (long) megabytes << 20;
        state = Arena.global().allocate(bytes, 64);
        state.fill((byte) 7);
        cache = new HostPromptCache(2 * bytes);
        store();
        store();
        copies = new HostPromptCache(2 * bytes);
        copies.store(new int[] {1}, 1, bytes, false, seg -> bytes).orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cache.close();
        copies.close();
        if (previous != null) {
            previous.close();
        }
    }

    private HostPromptCache.Entry store() {
        int[] key = {next++, 1, 2, 3};
        return cache.store(key, key.length, bytes, false, seg -> {
            MemorySegment.copy(state, 0, seg, 0, bytes);
            return bytes;
        }).orElseThrow();
    }

    @Benchmark
    public HostPromptCache.Entry fullCacheStore() {
        return store();
    }

    /**
     * A running slot's state copied for the prompts that share its prefix (held for one step): in
     * the steady state the memory of the previous step's copy, kept as a spare, holds it.
     */
    @Benchmark
    public long copyForOneStep() {
        HostPromptCache.Scratch s = copies.scratch(bytes);
        MemorySegment.copy(state, 0, s.segment(), 0, bytes);
        long address = s.segment().address();
        copies.release(s);
        return address;
    }

    @Benchmark
    public MemorySegment freshMemory() {
        Arena arena = Arena.ofConfined();
        MemorySegment seg = arena.allocate(bytes, 64);
        MemorySegment.copy(state, 0, seg, 0, bytes);
        if (previous != null) {
            previous.close(); // the evicted entry's memory
        }
        previous = arena;
        return seg;
    }
}
