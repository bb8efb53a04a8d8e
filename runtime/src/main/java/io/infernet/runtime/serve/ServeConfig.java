package io.infernet.runtime.serve;

import io.infernet.runtime.CpuTopology;

/**
 * How the serving engine runs.
 *
 * @param parallel      sequences decoded together (slots); {@code --parallel}
 * @param kvCells       KV cells in all: one pool shared by the slots, or a stream of {@code kvCells / parallel} per slot
 * @param maxSequenceTokens most tokens (prompt and output) one request may hold; at most {@code kvCells}; {@code --ctx}
 * @param batchSize     most tokens per decode step (the scheduler's token budget)
 * @param threads       ggml threads; default physical cores; {@code --threads}
 * @param cacheRamBytes host memory for saved prompt states; 0 disables the host cache; {@code --cache-ram}
 * @param maxQueue      requests waiting beyond the running ones before new ones get 429; {@code --max-queue}
 * @param unifiedKv     one KV pool shared by all slots (a request may use more than its share; full pools preempt the
 *                      youngest) instead of a stream per slot of {@code kvCells / parallel} cells (llama-server's
 *                      default: attention never looks past a slot's own cells, which is faster with many slots)
 */
public record ServeConfig(int parallel, int kvCells, int maxSequenceTokens, int batchSize, int threads, long cacheRamBytes, int maxQueue,
                          boolean unifiedKv) {
    public ServeConfig {
        if (parallel < 1 || parallel > 256) {
            throw new IllegalArgumentException("--parallel must be in 1..256, got " + parallel);
        }
        if (kvCells < 16) {
            throw new IllegalArgumentException("the KV cache must have >= 16 cells, got " + kvCells);
        }
        if (maxSequenceTokens < 16 || maxSequenceTokens > kvCells) {
            throw new IllegalArgumentException("--ctx (tokens one request may hold) must be in 16.." + kvCells + " (the KV cells), got "
                    + maxSequenceTokens);
        }
        if (!unifiedKv && maxSequenceTokens > kvCells / parallel) {
            throw new IllegalArgumentException("with a KV stream per slot, a sequence holds at most " + kvCells / parallel
                    + " tokens (" + kvCells + " cells / " + parallel + " slots), not " + maxSequenceTokens);
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
        return new ServeConfig(n, kvCells, unifiedKv ? maxSequenceTokens : kvCells / n, batchSize, threads, cacheRamBytes, maxQueue,
                unifiedKv);
    }

    /** Sets the KV pool: shared, one request may use all of it; per slot, each slot gets its share. */
    public ServeConfig withKvCells(int n) {
        return new ServeConfig(parallel, n, unifiedKv ? n : n / parallel, batchSize, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withMaxSequenceTokens(int n) {
        return new ServeConfig(parallel, kvCells, n, batchSize, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withBatchSize(int n) {
        return new ServeConfig(parallel, kvCells, maxSequenceTokens, n, threads, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withThreads(int n) {
        return new ServeConfig(parallel, kvCells, maxSequenceTokens, batchSize, n, cacheRamBytes, maxQueue, unifiedKv);
    }

    public ServeConfig withCacheRamBytes(long n) {
        return new ServeConfig(parallel, kvCells, maxSequenceTokens, batchSize, threads, n, maxQueue, unifiedKv);
    }

    public ServeConfig withMaxQueue(int n) {
        return new ServeConfig(parallel, kvCells, maxSequenceTokens, batchSize, threads, cacheRamBytes, n, unifiedKv);
    }
}
