package io.infernet.runtime.serve;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.FatalDecodeException;
import io.infernet.runtime.Model;
import io.infernet.runtime.Vocab;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine thread's body. Each step: take new requests, drop cancelled ones, admit waiting
 * ones into free slots (placing each where the most of its prompt is already computed), plan
 * the step, run one decode for all of it, then sample and dispatch. Aborts that arrive during
 * a step are applied before the next one.
 *
 * <p>Failures: what goes wrong with one sequence (its sampling, its output constraint, its text,
 * its listener) fails that sequence alone ({@link SequenceFailure}: the request's doing, or ours)
 * and the loop goes on; what goes wrong with the logits row the choices of one request share (its
 * log-probabilities, the fork) fails all of that request's choices; a decode llama.cpp refuses (-1)
 * fails the sequences in it. Anything else, a fatal decode status first of all, ends {@link #run()}
 * with {@link #failed()} true: every sequence gets {@link SequenceFailure.Cause#UNAVAILABLE} and the
 * context is freed, for the owner to start a new loop. Every sequence's listener gets exactly one
 * terminal event, whichever way it ends.
 */
final class EngineLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(EngineLoop.class.getName());
    private static final java.util.Comparator<Scheduler.Work<Sequence>> BY_SLOT = java.util.Comparator.comparingInt(w -> w.seq().slot);

    private final Vocab vocab;
    private final ServeConfig config;
    private final LinkedBlockingQueue<Sequence> inbox;
    private final AtomicInteger inSystem;
    private final Context ctx;
    private final Batch batch;
    private final KvCache kv;
    private final OutputStage output;
    private final Scheduler.Limits limits;
    private final Decoder decoder;
    private final List<Sequence> waiting = new ArrayList<>();
    private final List<Sequence> running = new ArrayList<>();

    private volatile boolean stopping;
    private volatile String broken;
    private volatile boolean failed;
    private volatile Thread thread;
    private volatile ServeStats stats;
    private long promptTokens;
    private long reusedTokens;
    private long generatedTokens;
    private long hits;
    private long misses;
    private long preemptions;
    private long decodedTokens;
    private long forks;
    /** Made on the first request that asks for log-probabilities. */
    private LogprobCalculator logprobs;

    EngineLoop(Model model, ServeConfig config, LinkedBlockingQueue<Sequence> inbox, AtomicInteger inSystem, Decoder decoder) {
        this.vocab = model.vocab();
        this.decoder = decoder;
        this.config = config;
        this.inbox = inbox;
        this.inSystem = inSystem;
        int batchSize = Math.min(config.batchSize(), config.kvCells());
        this.ctx = model.newContext(new ContextParams(config.kvCells(), batchSize, batchSize, config.parallel(),
                config.threads(), config.threads(), false, -1, config.unifiedKv()));
        this.batch = new Batch(batchSize, 1);
        this.kv = new KvCache(KvMemory.of(ctx), ctx.kvCells(), config.parallel(), config.unifiedKv(), config.cacheRamBytes());
        this.output = new OutputStage(vocab);
        this.limits = new Scheduler.Limits(batchSize, config.parallel());
        publishStats();
    }

    /** Most tokens one sequence may hold: the configured sequence length, within the cells llama.cpp gave. */
    int maxSequenceTokens() {
        return Math.min(ctx.kvCellsPerSequence(), config.maxSequenceTokens());
    }

    String brokenReason() {
        return broken;
    }

    /** Whether {@link #run()} ended on a failure (not on {@link #stop()}): the owner may start a new loop. */
    boolean failed() {
        return failed;
    }

    ServeStats stats() {
        return stats;
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void stop() {
        stopping = true;
        wake();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!stopping) {
                step();
            }
        } catch (Throwable t) {
            broken = (t instanceof FatalDecodeException ? "a fatal llama.cpp error: " : "an internal error: ") + t.getMessage();
            failed = true;
            LOG.log(System.Logger.Level.ERROR, "the engine stopped after " + broken, t);
            failAll(new SequenceFailure(SequenceFailure.Cause.UNAVAILABLE, null,
                    "The engine stopped after " + broken + ". It is restarting; send the request again in a few seconds."));
        } finally {
            if (broken == null) {
                broken = "the engine is shut down";
            }
            if (!failed) { // after a failure, requests still in the inbox wait for the next loop
                cancelAll();
            }
            kv.close();
            batch.close();
            ctx.close();
        }
    }

    // --- one step: schedule, bind, decode, sample, emit -------------------------------------

    private void step() {
        drainInbox();
        dropCancelled();
        if (running.isEmpty() && waiting.isEmpty()) {
            publishStats();
            if (inbox.isEmpty() && !kv.saveAhead()) { // one slot at a time, then the inbox again
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            return;
        }
        for (Sequence s : Scheduler.admit(waiting, slotsTaken(), limits)) {
            if (waitsForShared(s)) {
                continue; // the next step copies the prefix a running sequence computes in this one
            }
            waiting.remove(s);
            bind(s);
            if (!s.released) {
                running.add(s);
            }
        }
        kv.placed();
        Scheduler.Plan<Sequence> plan = Scheduler.plan(running, limits, kv.freeCells());
        plan.preempted().forEach(this::preempt);
        if (plan.isEmpty()) {
            endFullSequences();
            publishStats();
            return;
        }
        kv.reclaim(plan.tokens());
        List<Scheduler.Work<Sequence>> work = fillBatch(plan);
        DecodeStatus status;
        try {
            status = decoder.decode(ctx, batch);
        } catch (FatalDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // llama.cpp refused the batch (-1) before computing anything: our bug, the context is intact.
            LOG.log(System.Logger.Level.ERROR, "a decode of " + work.size() + " sequence(s) failed; failing them", e);
            for (Scheduler.Work<Sequence> item : work) {
                fail(item.seq(), internal("the engine could not decode this request (" + e.getMessage() + ")"));
            }
            return;
        }
        if (status != DecodeStatus.OK) {
            recoverFromFullCache(work);
            return;
        }
        decodedTokens += plan.tokens();
        for (Scheduler.Work<Sequence> item : work) {
            Sequence s = item.seq();
            s.computed += item.tokens();
            if (item.samples() && !s.cancelled() && !s.released) { // released: failed with another choice of its request
                sampleAndEmit(s);
            }
        }
        if (inbox.isEmpty() && waiting.isEmpty()) {
            kv.saveAhead(); // at most one slot per step: a step's tokens wait 1-2 ms at most for it
        }
        publishStats();
    }

    /**
     * Puts the plan's tokens in the batch, sequences in slot order: llama.cpp gathers one
     * micro-batch from sequences of consecutive ids in batch order, so any other order splits a
     * step into several graph computes (seen here: a 16-stream step at half speed once arrivals
     * and slots no longer lined up). Records where each sampling sequence's logits will be.
     */
    private List<Scheduler.Work<Sequence>> fillBatch(Scheduler.Plan<Sequence> plan) {
        batch.clear();
        List<Scheduler.Work<Sequence>> work = new ArrayList<>(plan.work());
        work.sort(BY_SLOT);
        for (Scheduler.Work<Sequence> item : work) {
            Sequence s = item.seq();
            int to = s.computed + item.tokens();
            for (int i = s.computed; i < to; i++) {
                int idx = batch.add(s.tokens.get(i), i, s.slot, item.samples() && i == to - 1);
                s.outputIndex = idx;
            }
        }
        return work;
    }

    private void drainInbox() {
        Sequence s;
        while ((s = inbox.poll()) != null) {
            waiting.add(s);
        }
    }

    private void dropCancelled() {
        for (Sequence s : List.copyOf(waiting)) {
            if (s.cancelled() || stopping) {
                waiting.remove(s);
                finish(s, Finish.CANCEL);
            }
        }
        for (Sequence s : List.copyOf(running)) {
            if (s.cancelled() || stopping) {
                finish(s, Finish.CANCEL);
            }
        }
    }

    /** Nothing fits: the only running sequence has filled the context. */
    private void endFullSequences() {
        for (Sequence s : List.copyOf(running)) {
            if (s.pendingTokens() > 0) {
                finish(s, Finish.LENGTH);
            }
        }
    }

    // --- the KV cache ---------------------------------------------------------------------------

    /** Slots held by running sequences, and reserved for the choices that will fork from a running leader. */
    private int slotsTaken() {
        int n = running.size();
        for (Sequence s : running) {
            if (s.isUnforkedLeader()) {
                n += Math.min(s.slotsNeeded(), limits.maxRunning()) - 1;
            }
        }
        return n;
    }

    /**
     * Whether a new sequence waits a step for a running one that is computing a prefix they share,
     * {@link KvCache#minShare} tokens or more beyond what the cache could give it now: the next step
     * copies that prefix ({@link SlotTable.Source#COPY_STATE}, or shared cells with one pool) instead
     * of computing it a second time in this one. Concurrent requests with the same long system prompt
     * (or parallel calls of one agent) compute it once; the wait costs the sequence one step, against
     * a step shorter by the prefix's tokens for it and every sequence in it.
     */
    private boolean waitsForShared(Sequence s) {
        if (s.started || s.swapped != null || s.isFollower()) {
            return false;
        }
        int own = -1;
        for (Sequence r : running) {
            int shared = Math.min(r.promptLength, r.tokens.commonPrefix(s.tokens.array(), s.promptLength));
            if (r.computed >= shared || shared - r.computed < kv.minShare()) {
                continue;
            }
            if (own < 0) {
                own = kv.cachedPrefix(s.tokens);
            }
            if (shared - Math.max(own, r.computed) >= kv.minShare()) {
                return true;
            }
        }
        return false;
    }

    /** Gives a waiting sequence a slot and as much of its tokens from cache as there is. */
    private void bind(Sequence s) {
        KvCache.Binding b = kv.bind(s, s.swapped);
        s.swapped = null;
        s.slot = b.slot();
        s.computed = b.reusedTokens();
        if (!s.started) {
            start(s, s.computed);
        }
    }

    /**
     * A sequence's first slot: the sampler's history gets the prompt (repetition penalties see it,
     * as in Generator), the counters count the request's prompt once (not again for the choices that
     * fork from it), and its listener hears of it. A sampler that refuses the prompt fails the sequence.
     *
     * @return whether it started (else it has failed and holds nothing)
     */
    private boolean start(Sequence s, int reused) {
        s.started = true;
        try {
            for (int i = 0; i < s.promptLength; i++) {
                s.sampler.accept(s.tokens.get(i));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a request's sampler refused its prompt; it alone is ended", e);
            fail(s, internal("the engine could not start this request (" + e.getMessage() + ")"));
            return false;
        }
        if (!s.isFollower()) {
            promptTokens += s.promptLength;
            reusedTokens += Math.min(reused, s.promptLength);
            if (reused > 0) {
                hits++;
            } else {
                misses++;
            }
        }
        OutputStage.notify(s, () -> s.listener.onStart(s.promptLength, Math.min(s.promptLength, reused)));
        return true;
    }

    /**
     * The leader of a request with several choices has computed the prompt: each other choice gets a
     * free slot holding a copy of the prompt's cells and will sample from the leader's logits row in
     * this step. Choices that find no slot (more choices than slots) wait as ordinary sequences; the
     * prompt's state goes to the host cache for them.
     *
     * @return the choices that forked now
     */
    private List<Sequence> fork(Sequence leader) {
        leader.group.forked = true;
        List<Sequence> forked = new ArrayList<>();
        boolean kept = false;
        for (Sequence f : leader.group.followers) {
            if (f.cancelled()) {
                finish(f, Finish.CANCEL);
                continue;
            }
            int slot = running.size() < limits.maxRunning() ? kv.fork(leader.slot, f, leader.computed) : -1;
            if (slot < 0) {
                if (!kept) {
                    kv.keepInHost(leader.slot, leader.tokens, leader.computed);
                    kept = true;
                }
                waiting.add(f);
                continue;
            }
            f.slot = slot;
            f.computed = leader.computed;
            running.add(f);
            if (start(f, f.computed)) {
                forked.add(f);
                forks++;
            }
        }
        return forked;
    }

    /** Swaps a running sequence out: its cells go to the host cache (or are computed again later). */
    private void preempt(Sequence s) {
        running.remove(s);
        s.swapped = kv.swapOut(s.slot, s.tokens, s.computed);
        boolean kept = s.swapped != null;
        s.slot = -1;
        s.computed = 0;
        waiting.add(s);
        preemptions++;
        LOG.log(System.Logger.Level.DEBUG, () -> "preempted a sequence (" + s.tokens.size() + " tokens, "
                + (kept ? "state kept in host memory" : "to be recomputed") + ")");
    }

    /** A decode found no room: reclaim idle cells, else preempt the youngest, else end the lone sequence. */
    private void recoverFromFullCache(List<Scheduler.Work<Sequence>> work) {
        for (Scheduler.Work<Sequence> w : work) {
            Sequence s = w.seq();
            s.computed = Math.min(s.tokens.size(), kv.positionsHeld(s.slot));
        }
        if (kv.hasIdleCells()) {
            kv.reclaim(Integer.MAX_VALUE);
            return;
        }
        if (running.size() > 1) {
            Sequence youngest = running.getFirst();
            for (Sequence s : running) {
                if (s.arrival > youngest.arrival) {
                    youngest = s;
                }
            }
            preempt(youngest);
            return;
        }
        for (Sequence s : List.copyOf(running)) {
            finish(s, Finish.LENGTH);
        }
    }

    // --- sampling and output --------------------------------------------------------------------

    /**
     * Samples the next token of a sequence whose logits the last decode produced; the leader of a
     * request with several choices first forks the others, which sample from the same row.
     * Log-probabilities are taken from the row before any mask touches it. A failure on the shared
     * row fails every choice of the request; a failure in one choice's draw fails that choice.
     */
    private void sampleAndEmit(Sequence s) {
        MemorySegment row;
        LogprobCalculator.Row lp;
        List<Sequence> forked;
        try {
            row = ctx.logits(s.outputIndex);
            Decoding d = s.request.decoding();
            lp = d.wantsLogprobs() ? logprobs().row(row, d.logprobs()) : null;
            forked = s.isUnforkedLeader() ? fork(s) : List.of();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a request failed in the engine; its choices alone are ended", e);
            SequenceFailure failure = internal("the engine failed on this request (" + e.getMessage() + ")");
            for (Sequence c : s.choices()) {
                fail(c, failure);
            }
            return;
        }
        sampleOneAlone(s, row, lp);
        for (Sequence f : forked) {
            f.outputIndex = s.outputIndex;
            if (!f.cancelled()) {
                sampleOneAlone(f, row, lp);
            }
        }
    }

    /** {@link #sampleOne}, where any exception fails this sequence alone. */
    private void sampleOneAlone(Sequence s, MemorySegment row, LogprobCalculator.Row lp) {
        try {
            sampleOne(s, row, lp);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "a request failed in the engine; it alone is ended", e);
            fail(s, internal("the engine failed on this request (" + e.getMessage() + ")"));
        }
    }

    /**
     * Masks the row with the sequence's grammar (in place: choices sharing a row at their fork are at
     * the same grammar state, so their masks agree), draws, and emits.
     */
    private void sampleOne(Sequence s, MemorySegment row, LogprobCalculator.Row lp) {
        if (s.matcher != null && !s.matcher.mask(row, tokensLeft(s))) {
            fail(s, new SequenceFailure(SequenceFailure.Cause.REQUEST, null, "The requested output format allows no token of "
                    + "this model's vocabulary here (after " + s.generated + " tokens): the vocabulary lacks a token the format "
                    + "needs. Use a simpler format (response_format, tool_choice) with this model."));
            return;
        }
        int token;
        try {
            token = s.sampler.sample(ctx, s.outputIndex);
        } catch (IllegalStateException e) { // nothing left to draw: the request's bias and penalties, or the model's logits
            fail(s, nothingToSample(row, s.matcher != null));
            return;
        }
        s.sampler.accept(token);
        if (s.matcher != null) {
            try {
                s.matcher.accept(token);
            } catch (IllegalArgumentException e) {
                // a sampler that ignores the mask (a pluggable one, a scripted test): our bug, this sequence alone fails
                fail(s, internal("the sampler drew a token the output format does not allow here (after " + s.generated
                        + " tokens): " + e.getMessage()));
                return;
            }
        }
        if (vocab.isEndOfGeneration(token)) {
            finish(s, Finish.STOP);
            return;
        }
        s.tokens.add(token);
        s.generated++;
        generatedTokens++;
        output.emit(s, token, lp == null ? null : lp.of(token, row.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, token)));
        if (s.stops.stopped() || (s.matcher != null && s.matcher.isComplete())) {
            finish(s, Finish.STOP);
        } else if (s.generated >= s.request.maxTokens() || s.tokens.size() >= maxSequenceTokens()) {
            finish(s, Finish.LENGTH);
        }
    }

    /** Tokens the sequence may still generate, the next one included (>= 1 while it runs). */
    private int tokensLeft(Sequence s) {
        return Math.min(s.request.maxTokens() - s.generated, maxSequenceTokens() - s.tokens.size());
    }

    private LogprobCalculator logprobs() {
        if (logprobs == null) {
            logprobs = new LogprobCalculator(vocab.size());
        }
        return logprobs;
    }

    /**
     * Ends a sequence: flushes held text, reports, frees its slot (its cells stay as an idle prefix).
     * A leader that ends before its choices forked ends them the same way.
     */
    private void finish(Sequence s, Finish how) {
        if (how != Finish.CANCEL) {
            output.flush(s);
        }
        release(s, true);
        report(s, () -> s.listener.onFinish(how, s.text.toString(), s.promptLength, s.generated));
        for (Sequence f : unforkedFollowers(s)) {
            finish(f, how);
        }
    }

    /**
     * Ends a sequence with an error: its cells are dropped (a prefix that failed is not worth keeping).
     * A leader that fails before its choices forked fails them the same way; choices that already
     * forked are the request's listener's to cancel.
     */
    private void fail(Sequence s, SequenceFailure failure) {
        release(s, false);
        report(s, () -> s.listener.onFailure(failure));
        for (Sequence f : unforkedFollowers(s)) {
            fail(f, failure);
        }
    }

    /** The choices that will never fork from {@code s}: it is a leader that ends before its fork. */
    private static List<Sequence> unforkedFollowers(Sequence s) {
        if (!s.isUnforkedLeader()) {
            return List.of();
        }
        s.group.forked = true; // never again
        return s.group.followers;
    }

    /** Gives back what a sequence holds, once: its slot (cells kept as an idle prefix or dropped), saved state, sampler, count. */
    private void release(Sequence s, boolean keepCells) {
        running.remove(s);
        waiting.remove(s);
        if (s.released) {
            return;
        }
        s.released = true;
        inSystem.decrementAndGet();
        int slot = s.slot;
        s.slot = -1;
        HostPromptCache.Entry swapped = s.swapped;
        s.swapped = null;
        if (slot >= 0) {
            if (keepCells) {
                kv.release(slot, s.tokens, s.computed);
            } else {
                kv.discard(slot);
            }
        }
        if (swapped != null) {
            kv.forget(swapped);
        }
        s.sampler.close();
    }

    /** The listener's one terminal event. */
    private static void report(Sequence s, Runnable event) {
        if (s.reported) {
            return;
        }
        s.reported = true;
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a listener failed on its last event", e);
        }
    }

    private static SequenceFailure internal(String message) {
        return new SequenceFailure(SequenceFailure.Cause.INTERNAL, null, message);
    }

    /**
     * The sampler found nothing to draw. When the logits row has a finite value (the model's own,
     * those left by the output format's mask), the request's logit_bias and penalties removed every
     * token (a 400); when it has none, the model produced NaN or infinite logits (a 500: its weights
     * are broken, or our bug).
     */
    private SequenceFailure nothingToSample(MemorySegment row, boolean constrained) {
        if (hasFiniteLogit(row, vocab.size())) {
            return new SequenceFailure(SequenceFailure.Cause.REQUEST, "logit_bias",
                    "No token can be sampled: logit_bias and the penalties leave every token " + (constrained
                            ? "the requested output format allows here " : "") + "at -infinity (for example every token id "
                            + "is banned with -100). Leave at least one token allowed.");
        }
        LOG.log(System.Logger.Level.WARNING, "the model produced no finite logit (all NaN or infinite) for a request; failing it");
        return internal("The model produced no usable logits (all NaN or infinite) for this request; its weights may be "
                + "damaged. Other requests are not affected.");
    }

    static boolean hasFiniteLogit(MemorySegment logits, int n) {
        for (int i = 0; i < n; i++) {
            float v = logits.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (Float.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    private void cancelAll() {
        drainInbox();
        for (Sequence s : List.copyOf(waiting)) {
            finish(s, Finish.CANCEL);
        }
        for (Sequence s : List.copyOf(running)) {
            finish(s, Finish.CANCEL);
        }
    }

    /** After a failure of the loop: every sequence ends with {@code failure}; their cells go with the context. */
    private void failAll(SequenceFailure failure) {
        drainInbox();
        List<Sequence> all = new ArrayList<>(waiting);
        all.addAll(running);
        waiting.clear();
        running.clear();
        for (Sequence s : List.copyOf(all)) {
            all.addAll(unforkedFollowers(s));
        }
        for (Sequence s : all) {
            if (!s.released) {
                s.released = true;
                inSystem.decrementAndGet();
                try {
                    s.sampler.close();
                } catch (RuntimeException ignored) {
                    // the sequence is failed anyway
                }
            }
            report(s, () -> s.listener.onFailure(failure));
        }
    }

    private void publishStats() {
        int q = waiting.size() + inbox.size();
        stats = new ServeStats(q, running.size(), kv.cellsHeld(), kv.cells(), promptTokens, reusedTokens, generatedTokens,
                hits, misses, preemptions, kv.hostStats(), decodedTokens, forks, kv.cellsHeldBusy());
    }
}
