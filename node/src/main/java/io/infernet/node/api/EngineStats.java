package io.infernet.node.api;

/**
 * Gauges an engine may expose for {@code /metrics}. Optional: an {@link io.infernet.engines.Engine}
 * that also implements this (or a stats source handed to {@link ApiServer#start}) adds the
 * engine lines to the exposition; without one they are left out.
 *
 * <p>Thread safety: {@link #stats()} is called from HTTP threads at any time and must answer
 * quickly (a snapshot of counters, no locks held across a decode step).
 */
public interface EngineStats {

    Snapshot stats();

    /**
     * One reading.
     *
     * @param queueDepth        requests waiting for a sequence slot
     * @param activeSequences   sequences being decoded now
     * @param kvCacheUsedCells  KV cache cells (token positions, all sequences) in use
     * @param kvCacheTotalCells KV cache cells in all; 0 if unknown
     * @param promptCacheHits   requests whose prompt prefix was reused from the cache, since start
     * @param promptCacheMisses requests that found nothing to reuse, since start
     * @param promptCacheBytes  bytes the prompt cache holds now
     */
    record Snapshot(
            int queueDepth,
            int activeSequences,
            long kvCacheUsedCells,
            long kvCacheTotalCells,
            long promptCacheHits,
            long promptCacheMisses,
            long promptCacheBytes) {

        public Snapshot {
            if (queueDepth < 0 || activeSequences < 0 || kvCacheUsedCells < 0 || kvCacheTotalCells < 0
                    || promptCacheHits < 0 || promptCacheMisses < 0 || promptCacheBytes < 0) {
                throw new IllegalArgumentException("engine stats must not be negative");
            }
        }
    }
}
