package io.infernet.runtime.serve;

import io.infernet.runtime.CpuTopology;

/**
 * How the serving engine runs.
 *
 * @param parallel      sequences decoded together (slots); {@code --parallel}
 * @param contextLength KV cells in all, shared by the slots (one unified cache)
 * @param sequenceLength most tokens (prompt and output) one request may hold; at most {@code contextLength}; {@code --ctx}
 * @param batchSize     most tokens per decode step (the scheduler's token budget)
 * @param threads       ggml threads; default physical cores; {@code --threads}
 * @param cacheRamBytes host memory for saved prompt states; 0 disables the host cache; {@code --cache-ram}
 * @param maxQueue      requests waiting beyond the running ones before new ones get 429; {@code --max-queue}
 * @param unifiedKv     one KV pool shared by all slots (a request may use more than its share; full pools preempt the
 *                      youngest) instead of a stream per slot of {@code contextLength / parallel} cells (llama-server's
 *                      default: attention never looks past a slot's own cells, which is faster with many slots)
 */
public record ServeConfig(int parallel, int contextLength, int sequenceLength, int batchSize, int threads, long cacheRamBytes, int maxQueue,
                          boolean unifiedKv) {
    public ServeConfig {
        if (parallel < 1 || parallel > 256) {
            throw new IllegalArgumentException("--parallel must be in 1..256, got " + parallel);
        }
        if (contextLength < 16) {
            throw new IllegalArgumentException("--ctx must be >= 16 tokens, got " + contextLength);
        }
        if (sequenceLength < 16 || sequenceLength > contextLength) {
            throw new IllegalArgumentException("the sequence length must be in 16.." + contextLength + ", got " + sequenceLength);
        }
        if (!unifiedKv && sequenceLength > contextLength / parallel) {
            throw new IllegalArgumentException("with a KV stream per slot, a sequence holds at most " + contextLength / parallel
                    + " tokens (" + contextLength + " cells / " + parallel + " slots), not " + sequenceLength);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        if (cacheRamBytes < 0) {
            throw new IllegalArgumentException("--cache-ram must be >= 0");
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("--max-queue must be >= 0, got " + maxQueue);
        }
    }

    /** 4 slots, one shared pool of 8192 cells (a request may use all of them), batches of 512, physical cores, 512 MiB of host cache, 64 queued. */
    public static ServeConfig defaults() {
        return new ServeConfig(4, 8192, 8192, 512, CpuTopology.physicalCores(), 512L << 20, 64, true);
    }

    /** {@code parallel} slots with a KV stream of {@code perSlot} cells each, as llama-server lays them out. */
    public static ServeConfig perSlot(int parallel, int perSlot) {
        return new ServeConfig(parallel, parallel * perSlot, perSlot, 512, CpuTopology.physicalCores(), 512L << 20, 64, false);
    }

    public ServeConfig withParallel(int n) {
        return new ServeConfig(n, contextLength, unifiedKv ? sequenceLength : contextLength / n, batchSize, threads, cacheRamBytes, maxQueue,
                unifiedKv);
    }

    /** Sets the KV pool: shared, one request may use all of it; per slot, each slot gets its share. */
    public ServeConfig withContextLength(int n) {
        return new ServeConfig(parallel, n, unifiedKv ? n : n / parallel, batchSize, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withSequenceLength(int n) {
        return new ServeConfig(parallel, contextLength, n, batchSize, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withBatchSize(int n) {
        return new ServeConfig(parallel, contextLength, sequenceLength, n, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withThreads(int n) {
        return new ServeConfig(parallel, contextLength, sequenceLength, batchSize, n, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withCacheRamBytes(long n) {
        return new ServeConfig(parallel, contextLength, sequenceLength, batchSize, threads, n, maxQueue, unifiedKv);
    }

    public ServeConfig withMaxQueue(int n) {
        return new ServeConfig(parallel, contextLength, sequenceLength, batchSize, threads, cacheRamBytes, n, unifiedKv);
    }
}
