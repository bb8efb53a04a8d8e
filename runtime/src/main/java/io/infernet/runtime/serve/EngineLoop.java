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
 * <p>Failures: what goes wrong with one sequence (its sampling, its text, its listener) fails
 * that sequence alone ({@link SequenceFailure}: the request's doing, or ours) and the loop goes
 * on; a decode llama.cpp refuses (-1) fails the sequences in it. Anything else, a fatal decode
 * status first of all, ends {@link #run()} with {@link #failed()} true: every sequence gets
 * {@link SequenceFailure.Cause#UNAVAILABLE} and the context is freed, for the owner to start a new loop.
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
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            return;
        }
        for (Sequence s : Scheduler.admit(waiting, running.size(), limits)) {
            waiting.remove(s);
            bind(s);
            if (!s.released) {
                running.add(s);
            }
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
        for (Scheduler.Work<Sequence> item : work) {
            Sequence s = item.seq();
            s.computed += item.tokens();
            if (item.samples() && !s.cancelled()) {
                try {
                    sampleAndEmit(s);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "a request failed in the engine; it alone is ended", e);
                    fail(s, internal("the engine failed on this request (" + e.getMessage() + ")"));
                }
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

    /** Gives a waiting sequence a slot and as much of its tokens from cache as there is. */
    private void bind(Sequence s) {
        KvCache.Binding b = kv.bind(s, s.swapped);
        s.swapped = null;
        s.slot = b.slot();
        s.computed = b.reusedTokens();
        if (!s.started) {
            s.started = true;
            // The sampler's history holds the prompt too (repetition penalties see it), as in Generator.
            try {
                for (int i = 0; i < s.promptLength; i++) {
                    s.sampler.accept(s.tokens.get(i));
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a request's sampler refused its prompt; it alone is ended", e);
                fail(s, internal("the engine could not start this request (" + e.getMessage() + ")"));
                return;
            }
            promptTokens += s.promptLength;
            reusedTokens += Math.min(s.computed, s.promptLength);
            if (s.computed > 0) {
                hits++;
            } else {
                misses++;
            }
            OutputStage.notify(s, () -> s.listener.onStart(s.promptLength, Math.min(s.promptLength, s.computed)));
        }
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

    private void sampleAndEmit(Sequence s) {
        int token;
        try {
            token = s.sampler.sample(ctx, s.outputIndex);
        } catch (IllegalStateException e) { // nothing left to draw: the request's bias and penalties, or the model's logits
            fail(s, nothingToSample(s));
            return;
        }
        s.sampler.accept(token);
        if (vocab.isEndOfGeneration(token)) {
            finish(s, Finish.STOP);
            return;
        }
        s.tokens.add(token);
        s.generated++;
        generatedTokens++;
        output.emit(s, token);
        if (s.stops.stopped()) {
            finish(s, Finish.STOP);
        } else if (s.generated >= s.request.maxTokens() || s.tokens.size() >= maxSequenceTokens()) {
            finish(s, Finish.LENGTH);
        }
    }

    /** Ends a sequence: flushes held text, reports, frees its slot (its cells stay as an idle prefix). */
    private void finish(Sequence s, Finish how) {
        if (how != Finish.CANCEL) {
            output.flush(s);
        }
        release(s, true);
        report(s, () -> s.listener.onFinish(how, s.text.toString(), s.promptLength, s.generated));
    }

    /** Ends a sequence with an error: its cells are dropped (a prefix that failed is not worth keeping). */
    private void fail(Sequence s, SequenceFailure failure) {
        release(s, false);
        report(s, () -> s.listener.onFailure(failure));
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
     * The sampler found nothing to draw. When the model's own logits have a finite value, the
     * request's logit_bias and penalties removed every token (a 400); when they have none, the
     * model produced NaN or infinite logits (a 500: its weights are broken, or our bug).
     */
    private SequenceFailure nothingToSample(Sequence s) {
        if (hasFiniteLogit(ctx.logits(s.outputIndex), vocab.size())) {
            return new SequenceFailure(SequenceFailure.Cause.REQUEST, "logit_bias",
                    "No token can be sampled: logit_bias and the penalties leave every token at -infinity (for example "
                            + "every token id is banned with -100). Leave at least one token allowed.");
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
                hits, misses, preemptions, kv.hostStats(), kv.cellsHeldBusy());
    }
}
