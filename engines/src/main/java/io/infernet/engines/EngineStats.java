package io.infernet.engines;

/**
 * Serving gauges of an engine that schedules its own sequences (the in-process one), for
 * {@code /metrics} and heartbeats. See {@link Engine#stats()}.
 *
 * @param queueDepth        requests waiting for a sequence slot
 * @param activeSequences   sequences being decoded now
 * @param kvCacheUsedCells  KV cache cells (token positions, all sequences) in use
 * @param kvCacheTotalCells KV cache cells in all; 0 if unknown
 * @param promptCacheHits   requests whose prompt prefix was reused from the cache, since start
 * @param promptCacheMisses requests that found nothing to reuse, since start
 * @param promptCacheBytes  bytes the prompt cache holds now
 * @param kvCacheActiveCells of {@code kvCacheUsedCells}, those running sequences hold (the rest keep finished
 *                          prompts for reuse); back to 0 when nothing runs
 */
public record EngineStats(
        int queueDepth,
        int activeSequences,
        long kvCacheUsedCells,
        long kvCacheTotalCells,
        long promptCacheHits,
        long promptCacheMisses,
        long promptCacheBytes,
        long kvCacheActiveCells) {

    public EngineStats {
        if (queueDepth < 0 || activeSequences < 0 || kvCacheUsedCells < 0 || kvCacheTotalCells < 0
                || promptCacheHits < 0 || promptCacheMisses < 0 || promptCacheBytes < 0 || kvCacheActiveCells < 0) {
            throw new IllegalArgumentException("engine stats must not be negative");
        }
    }

    /** Without the split of used cells: all of them counted as active. */
    public EngineStats(int queueDepth, int activeSequences, long kvCacheUsedCells, long kvCacheTotalCells, long promptCacheHits,
                       long promptCacheMisses, long promptCacheBytes) {
        this(queueDepth, activeSequences, kvCacheUsedCells, kvCacheTotalCells, promptCacheHits, promptCacheMisses, promptCacheBytes,
                kvCacheUsedCells);
    }
}
