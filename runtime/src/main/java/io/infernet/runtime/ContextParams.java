package io.infernet.runtime;

/**
 * How a context is created.
 *
 * @param kvCells tokens of KV cache in all (shared by all sequences when {@code unifiedKv}); 0 = the model's trained length
 * @param batchSize     most tokens one {@code llama_decode} call may carry (logical batch)
 * @param ubatchSize    most tokens computed at once inside a decode (physical batch); <= batchSize
 * @param maxSequences  distinct sequences (parallel requests) the context holds
 * @param threads       threads for generation (single-token decodes); default physical cores
 * @param threadsBatch  threads for prompt processing (multi-token decodes)
 * @param embeddings    also compute embeddings (pooled per sequence where the model pools)
 * @param flashAttention -1 = auto, 0 = off, 1 = on
 * @param unifiedKv     one KV buffer shared by all sequences: a sequence may use the whole context, and prefixes can be copied between sequences
 */
public record ContextParams(
        int kvCells,
        int batchSize,
        int ubatchSize,
        int maxSequences,
        int threads,
        int threadsBatch,
        boolean embeddings,
        int flashAttention,
        boolean unifiedKv) {

    public ContextParams {
        if (kvCells < 0) {
            throw new IllegalArgumentException("context length must be >= 0 (0 = the model's), got " + kvCells);
        }
        if (batchSize < 1 || ubatchSize < 1 || ubatchSize > batchSize) {
            throw new IllegalArgumentException("need 1 <= ubatch (" + ubatchSize + ") <= batch (" + batchSize + ")");
        }
        if (maxSequences < 1) {
            throw new IllegalArgumentException("maxSequences must be >= 1, got " + maxSequences);
        }
        if (threads < 1 || threadsBatch < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads + "/" + threadsBatch);
        }
        if (flashAttention < -1 || flashAttention > 1) {
            throw new IllegalArgumentException("flashAttention must be -1 (auto), 0 or 1, got " + flashAttention);
        }
    }

    /** One sequence, 4096 tokens, batches of 512, physical cores. */
    public static ContextParams defaults() {
        int cores = CpuTopology.physicalCores();
        return new ContextParams(4096, 512, 512, 1, cores, cores, false, -1, true);
    }

    public ContextParams withKvCells(int n) {
        return new ContextParams(n, batchSize, ubatchSize, maxSequences, threads, threadsBatch, embeddings, flashAttention, unifiedKv);
    }

    public ContextParams withBatch(int batch, int ubatch) {
        return new ContextParams(kvCells, batch, ubatch, maxSequences, threads, threadsBatch, embeddings, flashAttention, unifiedKv);
    }

    public ContextParams withMaxSequences(int n) {
        return new ContextParams(kvCells, batchSize, ubatchSize, n, threads, threadsBatch, embeddings, flashAttention, unifiedKv);
    }

    public ContextParams withThreads(int gen, int batch) {
        return new ContextParams(kvCells, batchSize, ubatchSize, maxSequences, gen, batch, embeddings, flashAttention, unifiedKv);
    }

    public ContextParams withEmbeddings(boolean on) {
        return new ContextParams(kvCells, batchSize, ubatchSize, maxSequences, threads, threadsBatch, on, flashAttention, unifiedKv);
    }
}
