package io.infernet.runtime.serve;

import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.Utf8Accumulator;
import io.infernet.runtime.text.StopStringFilter;

/**
 * A served request's mutable state. Owned by the engine thread, except {@link #cancel()},
 * which any thread may call.
 *
 * <p>{@code tokens} holds the prompt and every generated token; {@code computed} of them are
 * in the KV cache. While decoding, exactly one (the last sampled) is pending.
 */
final class Sequence implements Scheduler.Seq, SlotTable.Content {
    final long arrival;
    final ServeRequest request;
    final SequenceListener listener;
    final IntList tokens;
    final int promptLength;
    final TokenSampler sampler;
    final Utf8Accumulator utf8 = new Utf8Accumulator();
    final StopStringFilter stops;
    final StringBuilder text = new StringBuilder();
    int computed;
    int generated;
    int slot = -1;
    /** Batch index of its logits in the step being decoded (when it samples in that step). */
    int outputIndex = -1;
    boolean started;
    /** A state saved when this sequence was preempted, pinned in the host cache until it resumes. */
    HostPromptCache.Entry swapped;
    /** Its resources went back (slot, saved state, sampler, the engine's count); set once. */
    boolean released;
    /** Its listener got its one terminal event (onFinish or onFailure); set once. */
    boolean reported;
    private volatile boolean cancelled;

    Sequence(long arrival, ServeRequest request, SequenceListener listener, TokenSampler sampler) {
        this.arrival = arrival;
        this.request = request;
        this.listener = listener;
        this.tokens = new IntList(request.promptTokens());
        this.promptLength = request.promptTokens().length;
        this.sampler = sampler;
        this.stops = new StopStringFilter(request.stop());
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public long arrival() {
        return arrival;
    }

    @Override
    public int pendingTokens() {
        return tokens.size() - computed;
    }

    @Override
    public int cachedTokens() {
        return computed;
    }

    @Override
    public IntList tokens() {
        return tokens;
    }
}
