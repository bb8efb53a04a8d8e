package io.infernet.runtime;

/**
 * The recoverable outcomes of {@code llama_decode}. Fatal codes (-1 bad batch, < -1 internal)
 * never become a value: they throw and poison the context.
 */
public enum DecodeStatus {
    /** 0: done; logits of the marked tokens are ready. */
    OK,
    /** 1: no KV slot for the batch; free space (preempt a sequence) or shrink the batch, then retry. */
    NO_KV_SLOT,
    /** 2: the abort callback stopped it; processed ubatches stay in the cache. */
    ABORTED
}
