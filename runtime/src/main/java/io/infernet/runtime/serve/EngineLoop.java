package io.infernet.runtime.serve;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.DecodeStatus;
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
    private final List<Sequence> waiting = new ArrayList<>();
    private final List<Sequence> running = new ArrayList<>();

    private volatile boolean stopping;
    private volatile String broken;
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

    EngineLoop(Model model, ServeConfig config, LinkedBlockingQueue<Sequence> inbox, AtomicInteger inSystem) {
        this.vocab = model.vocab();
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
            broken = "the engine stopped after an internal error: " + t.getMessage();
            LOG.log(System.Logger.Level.ERROR, broken, t);
            failAll(broken);
        } finally {
            if (broken == null) {
                broken = "the engine is shut down";
            }
            cancelAll();
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
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            return;
        }
        for (Sequence s : Scheduler.admit(waiting, slotsTaken(), limits)) {
            waiting.remove(s);
            bind(s);
            running.add(s);
        }
        Scheduler.Plan<Sequence> plan = Scheduler.plan(running, limits, kv.freeCells());
        plan.preempted().forEach(this::preempt);
        if (plan.isEmpty()) {
            endFullSequences();
            publishStats();
            return;
        }
        kv.reclaim(plan.tokens());
        List<Scheduler.Work<Sequence>> work = fillBatch(plan);
        if (ctx.decode(batch) != DecodeStatus.OK) {
            recoverFromFullCache(work);
            return;
        }
        decodedTokens += plan.tokens();
        for (Scheduler.Work<Sequence> item : work) {
            Sequence s = item.seq();
            s.computed += item.tokens();
            if (item.samples() && !s.cancelled()) {
                sampleAndEmit(s);
            }
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
     * fork from it), and its listener hears of it.
     */
    private void start(Sequence s, int reused) {
        s.started = true;
        for (int i = 0; i < s.promptLength; i++) {
            s.sampler.accept(s.tokens.get(i));
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
            start(f, f.computed);
            forked.add(f);
            forks++;
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
     * Log-probabilities are taken from the row before any mask touches it.
     */
    private void sampleAndEmit(Sequence s) {
        MemorySegment row = ctx.logits(s.outputIndex);
        Decoding d = s.request.decoding();
        LogprobCalculator.Row lp = d.wantsLogprobs() ? logprobs().row(row, d.logprobs()) : null;
        List<Sequence> forked = s.isUnforkedLeader() ? fork(s) : List.of();
        sampleOne(s, row, lp);
        for (Sequence f : forked) {
            f.outputIndex = s.outputIndex;
            if (!f.cancelled()) {
                sampleOne(f, row, lp);
            }
        }
    }

    /**
     * Masks the row with the sequence's grammar (in place: choices sharing a row at their fork are at
     * the same grammar state, so their masks agree), draws, and emits.
     */
    private void sampleOne(Sequence s, MemorySegment row, LogprobCalculator.Row lp) {
        if (s.matcher != null && !s.matcher.mask(row, tokensLeft(s))) {
            fail(s, "the output format allows no token of this model's vocabulary here (after " + s.generated
                    + " tokens); the vocabulary lacks a token the format needs");
            return;
        }
        int token = s.sampler.sample(ctx, s.outputIndex);
        s.sampler.accept(token);
        if (s.matcher != null) {
            try {
                s.matcher.accept(token);
            } catch (IllegalArgumentException e) {
                // a sampler that ignores the mask (a pluggable one, a scripted test): this sequence fails, the engine goes on
                fail(s, "the sampler drew a token the output format does not allow here (after " + s.generated + " tokens): "
                        + e.getMessage());
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
        leave(s);
        String text = s.text.toString();
        try {
            s.listener.onFinish(how, text, s.promptLength, s.generated);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a listener failed on finish", e);
        }
        for (Sequence f : unforkedFollowers(s)) {
            finish(f, how);
        }
    }

    /** Ends one sequence with an error (its request's other choices go on, unless they have not forked yet). */
    private void fail(Sequence s, String message) {
        leave(s);
        try {
            s.listener.onError(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a listener failed on error", e);
        }
        for (Sequence f : unforkedFollowers(s)) {
            fail(f, message);
        }
    }

    /** Takes a sequence out of the engine: its slot, its saved state, its sampler, its count. */
    private void leave(Sequence s) {
        boolean wasRunning = running.remove(s);
        waiting.remove(s);
        if (wasRunning && s.slot >= 0) {
            kv.release(s.slot, s.tokens, s.computed);
            s.slot = -1;
        }
        if (s.swapped != null) {
            kv.forget(s.swapped);
            s.swapped = null;
        }
        s.sampler.close();
        inSystem.decrementAndGet();
    }

    /** The choices that will never fork from {@code s}: it is a leader that ends before its fork. */
    private static List<Sequence> unforkedFollowers(Sequence s) {
        if (!s.isUnforkedLeader()) {
            return List.of();
        }
        s.group.forked = true; // never again
        return s.group.followers;
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

    private void failAll(String message) {
        drainInbox();
        List<Sequence> all = new ArrayList<>(waiting);
        all.addAll(running);
        waiting.clear();
        running.clear();
        for (Sequence s : List.copyOf(all)) {
            all.addAll(unforkedFollowers(s));
        }
        for (Sequence s : all) {
            inSystem.decrementAndGet();
            try {
                s.listener.onError(message);
            } catch (RuntimeException ignored) {
                // nothing more can be done for it
            }
        }
    }

    private void publishStats() {
        int q = waiting.size() + inbox.size();
        stats = new ServeStats(q, running.size(), kv.cellsHeld(), kv.cells(), promptTokens, reusedTokens, generatedTokens,
                hits, misses, preemptions, kv.hostStats(), decodedTokens, forks);
    }
}
