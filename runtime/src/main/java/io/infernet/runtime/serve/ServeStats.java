package io.infernet.runtime.serve;

/**
 * A snapshot of the serving engine for /metrics and heartbeats.
 *
 * @param queued             requests waiting for a slot
 * @param running            sequences holding a slot
 * @param kvCellsUsed        KV cells held (running and idle cached prefixes; an upper bound)
 * @param kvCells            KV cells in all
 * @param promptTokens       prompt tokens of all admitted requests
 * @param reusedPromptTokens of those, tokens that came from cache instead of being computed
 * @param generatedTokens    tokens generated in all
 * @param cacheHits          requests that reused a cached prefix
 * @param cacheMisses        requests that reused nothing
 * @param preemptions        sequences swapped out to make room
 * @param hostCache          the host prompt cache's counters
 * @param decodedTokens      tokens put through a decode in all: prompt tokens computed (not reused) and generated
 *                           tokens fed back; a request with several choices computes its prompt once
 * @param forkedSequences    choices that started from a copy of another choice's prompt cells
 * @param kvCellsActive      of {@code kvCellsUsed}, the cells running sequences hold (the rest are idle cached prefixes)
 */
public record ServeStats(
        int queued,
        int running,
        int kvCellsUsed,
        int kvCells,
        long promptTokens,
        long reusedPromptTokens,
        long generatedTokens,
        long cacheHits,
        long cacheMisses,
        long preemptions,
        HostPromptCache.Stats hostCache,
        long decodedTokens,
        long forkedSequences,
        int kvCellsActive) {}
