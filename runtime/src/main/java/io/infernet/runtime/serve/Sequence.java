package io.infernet.runtime.serve;

import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.Utf8Accumulator;
import io.infernet.runtime.text.StopStringFilter;
import java.util.ArrayList;
import java.util.List;

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
    /** Which of the request's choices this is (0 for the first). */
    final int choice;
    /** Where its output stands in the request's grammar; null without a constraint. */
    final OutputConstraint.Matcher matcher;
    /** The request's choices when it asked for more than one; null otherwise. */
    final Group group;
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
        this(arrival, request, listener, sampler, 0, null);
    }

    Sequence(long arrival, ServeRequest request, SequenceListener listener, TokenSampler sampler, int choice, Group group) {
        this.arrival = arrival;
        this.choice = choice;
        this.group = group;
        OutputConstraint c = request.decoding().constraint();
        this.matcher = c == null ? null : c.start();
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

    /** Whether this is the first choice of a request whose other choices have not forked from it yet. */
    boolean isUnforkedLeader() {
        return group != null && group.leader == this && !group.forked;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Whether this is a later choice of a request with several (its prompt is the leader's). */
    boolean isFollower() {
        return group != null && group.leader != this;
    }

    /** Every choice of its request, this one first when it leads: the leader and its followers, or just this one. */
    List<Sequence> choices() {
        if (group == null) {
            return List.of(this);
        }
        List<Sequence> all = new ArrayList<>(group.size());
        all.add(group.leader);
        all.addAll(group.followers);
        return all;
    }

    /** Slots the scheduler must find before starting it: an unforked leader brings its followers. */
    @Override
    public int slotsNeeded() {
        return isUnforkedLeader() ? group.size() : 1;
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

    /**
     * The choices of a request with {@code n > 1}. The leader computes the prompt; when it first
     * samples, the followers fork from it (a copy of its KV cells) and sample from the same logits
     * row in the same step; after that each choice is a sequence of its own. Engine thread only.
     */
    static final class Group {
        private final int size;
        /** Set once, right after the choices are made (before the request is queued). */
        Sequence leader;
        final List<Sequence> followers = new ArrayList<>();
        boolean forked;

        Group(int size) {
            this.size = size;
        }

        /** Choices in all. */
        int size() {
            return size;
        }
    }
}
