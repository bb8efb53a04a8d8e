package io.infernet.runtime.serve;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.Model;
import io.infernet.runtime.Vocab;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    private final Model model;
    private final Vocab vocab;
    private final ServeConfig config;
    private final LinkedBlockingQueue<Sequence> inbox;
    private final AtomicInteger inSystem;
    private final Context ctx;
    private final int cells;
    private final Batch batch;
    private final SlotTable slots;
    private final HostPromptCache host;
    private final Scheduler.Limits limits;
    private final List<Sequence> waiting = new ArrayList<>();
    private final List<Sequence> running = new ArrayList<>();
    private final MemorySegment piece;
    private final byte[] pieceBytes = new byte[256];


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

    EngineLoop(Model model, ServeConfig config, LinkedBlockingQueue<Sequence> inbox, AtomicInteger inSystem) {
        this.model = model;
        this.vocab = model.vocab();
        this.config = config;
        this.inbox = inbox;
        this.inSystem = inSystem;
        int batchSize = Math.min(config.batchSize(), config.contextLength());
        this.ctx = model.newContext(new ContextParams(config.contextLength(), batchSize, batchSize, config.parallel(),
                config.threads(), config.threads(), false, -1, config.unifiedKv()));
        this.cells = ctx.contextLength();
        this.batch = new Batch(batchSize, 1);

        this.slots = new SlotTable(config.parallel(), config.unifiedKv());
        this.host = new HostPromptCache(config.cacheRamBytes());
        this.limits = new Scheduler.Limits(batchSize, config.parallel());
        this.piece = Arena.ofAuto().allocate(256); // freed with the loop; read only by the engine thread
        publishStats();
    }

    /** Most tokens one sequence may hold: the configured sequence length, within the cells llama.cpp gave. */
    int contextLength() {
        return Math.min(ctx.contextLengthPerSequence(), config.sequenceLength());
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
            host.close();
            batch.close();
            ctx.close();
        }
    }

    // --- one step ---------------------------------------------------------------------------

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
            running.add(s);
        }
        // One pool: the free cells are shared. A stream per slot: a sequence only ever fills its own,
        // and the per-sequence limit ends it first, so the step never runs out of cells.
        int free = config.unifiedKv() ? cells - slots.cellsHeldBusy() : Integer.MAX_VALUE / 2;
        Scheduler.Plan<Sequence> plan = Scheduler.plan(running, limits, free);
        for (Sequence s : plan.preempted()) {
            preempt(s);
        }
        if (plan.isEmpty()) {
            // Nothing fits: the only running sequence has filled the context.
            for (Sequence s : List.copyOf(running)) {
                if (s.pendingTokens() > 0) {
                    finish(s, Finish.LENGTH);
                }
            }
            publishStats();
            return;
        }
        reclaimIdleCells(plan.tokens());
        batch.clear();
        // The batch lists sequences by slot: llama.cpp gathers one micro-batch from sequences of
        // consecutive ids in batch order, so any other order splits a step into several graph
        // computes (seen here: a 16-stream step at half speed once arrivals and slots no longer
        // lined up).
        List<Scheduler.Work<Sequence>> work = new ArrayList<>(plan.work());
        work.sort(BY_SLOT);
        int[] outputIndex = new int[work.size()];
        for (int w = 0; w < work.size(); w++) {
            Scheduler.Work<Sequence> item = work.get(w);
            Sequence s = item.seq();
            int from = s.computed;
            int to = from + item.tokens();
            for (int i = from; i < to; i++) {
                int idx = batch.add(s.tokens.get(i), i, s.slot, item.samples() && i == to - 1);
                outputIndex[w] = idx;
            }
        }
        DecodeStatus status = ctx.decode(batch);
        if (status != DecodeStatus.OK) {
            recoverFromFullCache(work);
            return;
        }
        for (int w = 0; w < work.size(); w++) {
            Scheduler.Work<Sequence> item = work.get(w);
            Sequence s = item.seq();
            s.computed += item.tokens();
            if (item.samples() && !s.cancelled()) {
                sampleAndEmit(s, outputIndex[w]);
            }
        }
        publishStats();
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

    // --- placing a sequence -----------------------------------------------------------------

    /** Gives a waiting sequence a slot and as much of its prompt from cache as there is. */
    private void bind(Sequence s) {
        int length = s.tokens.size();
        int[] toks = s.tokens.array();
        Optional<HostPromptCache.Match> hostMatch = host.longestPrefix(toks, length, SlotTable.MIN_RESTORE);
        SlotTable.Placement p = slots.place(toks, length, hostMatch, host::covers);
        if (p.saveFirst()) {
            saveIdle(p.slot());
        }
        int reuse = 0;
        switch (p.source()) {
            case SAME_SLOT -> {
                ctx.removeTokens(p.slot(), p.reuse(), -1);
                reuse = p.reuse();
            }
            case COPY_FROM_SLOT -> {
                ctx.removeTokens(p.slot(), -1, -1);
                ctx.copySequence(p.sourceSlot(), p.slot(), 0, p.reuse());
                reuse = p.reuse();
            }
            case HOST -> reuse = restore(p.slot(), p.hostEntry(), p.reuse());
            case MOVE -> {
                SlotTable.Content from = slots.content(p.sourceSlot());
                Optional<HostPromptCache.Entry> moved = host.covering(from.tokens().array(), p.reuse());
                if (moved.isEmpty() && host.capacityBytes() > 0) {
                    moved = saveSlot(p.sourceSlot(), from.tokens(), from.cachedTokens(), false);
                }
                ctx.removeTokens(p.slot(), -1, -1);
                reuse = moved.map(e -> restore(p.slot(), e, p.reuse())).orElse(0);
            }
            case NONE -> ctx.removeTokens(p.slot(), -1, -1);
        }
        if (s.swapped != null) {
            host.remove(s.swapped);
            s.swapped = null;
        }
        s.slot = p.slot();
        s.computed = reuse;
        slots.assign(p.slot(), s);
        if (!s.started) {
            s.started = true;
            promptTokens += s.promptLength;
            reusedTokens += Math.min(reuse, s.promptLength);
            if (reuse > 0) {
                hits++;
            } else {
                misses++;
            }
            notify(s, () -> s.listener.onStart(s.promptLength, Math.min(s.promptLength, s.computed)));
        }
    }

    /** Restores a saved state into an emptied slot and keeps its first {@code reuse} tokens; 0 if it did not fit. */
    private int restore(int slot, HostPromptCache.Entry entry, int reuse) {
        ctx.removeTokens(slot, -1, -1);
        slots.clearIdle(slot);
        reclaimIdleCells(entry.tokenCount());
        if (ctx.restoreSequence(entry.state(), slot) > 0) {
            ctx.removeTokens(slot, reuse, -1);
            host.restored(entry);
            return reuse;
        }
        ctx.removeTokens(slot, -1, -1);
        LOG.log(System.Logger.Level.WARNING, "restoring a cached prompt state failed; computing it again");
        return 0;
    }

    /** Saves an idle slot's cells to the host cache (if they fit its budget). */
    private void saveIdle(int slot) {
        SlotTable.Content c = slots.content(slot);
        if (c == null || host.capacityBytes() == 0) {
            return;
        }
        saveSlot(slot, c.tokens(), c.cachedTokens(), false);
    }

    private Optional<HostPromptCache.Entry> saveSlot(int slot, IntList tokens, int count, boolean pinned) {
        long size = ctx.sequenceStateSize(slot);
        if (size <= 0) {
            return Optional.empty();
        }
        return host.store(tokens.array(), count, size, pinned, seg -> ctx.saveSequence(slot, seg));
    }

    /** Frees idle slots' cells, least recently used first, until {@code needed} cells are free. */
    private void reclaimIdleCells(int needed) {
        if (!config.unifiedKv()) {
            return; // a stream per slot: idle cells take nothing from the other slots
        }
        for (int slot : slots.idleByLru()) {
            if (cells - slots.cellsHeld() >= needed) {
                return;
            }
            if (host.capacityBytes() > 0) {
                SlotTable.Content c = slots.content(slot);
                if (c.cachedTokens() >= SlotTable.MIN_REUSE && !host.covers(c.tokens().array(), c.cachedTokens())) {
                    saveIdle(slot);
                }
            }
            ctx.removeTokens(slot, -1, -1);
            slots.clearIdle(slot);
        }
    }

    /** Swaps a running sequence out: its cells go to the host cache (or are recomputed later). */
    private void preempt(Sequence s) {
        running.remove(s);
        Optional<HostPromptCache.Entry> saved = host.capacityBytes() > 0 ? saveSlot(s.slot, s.tokens, s.computed, true) : Optional.empty();
        s.swapped = saved.orElse(null);
        ctx.removeTokens(s.slot, -1, -1);
        slots.release(s.slot, null);
        s.slot = -1;
        s.computed = 0;
        waiting.add(s);
        preemptions++;
        LOG.log(System.Logger.Level.DEBUG, () -> "preempted a sequence (" + s.tokens.size() + " tokens, "
                + (saved.isPresent() ? "state kept in host memory" : "to be recomputed") + ")");
    }

    /** A decode found no room: reclaim idle cells, else preempt the youngest, else end the lone sequence. */
    private void recoverFromFullCache(List<Scheduler.Work<Sequence>> work) {
        for (Scheduler.Work<Sequence> w : work) {
            Sequence s = w.seq();
            s.computed = Math.min(s.tokens.size(), ctx.maxPosition(s.slot) + 1);
        }
        if (!slots.idleByLru().isEmpty()) {
            reclaimIdleCells(Integer.MAX_VALUE);
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

    // --- output -------------------------------------------------------------------------------

    private void sampleAndEmit(Sequence s, int outputIndex) {
        int token = s.sampler.sample(ctx, outputIndex);
        s.sampler.accept(token);
        if (vocab.isEndOfGeneration(token)) {
            finish(s, Finish.STOP);
            return;
        }
        s.tokens.add(token);
        s.generated++;
        generatedTokens++;
        int len = vocab.tokenToPiece(token, piece, false);
        String text = "";
        if (len > 0 && len <= pieceBytes.length) {
            MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, 0, pieceBytes, 0, len);
            text = s.stops.push(s.utf8.append(pieceBytes, len));
        }
        if (!text.isEmpty()) {
            s.text.append(text);
        }
        String out = text;
        notify(s, () -> s.listener.onText(out, token));
        if (s.stops.stopped()) {
            finish(s, Finish.STOP);
        } else if (s.generated >= s.request.maxTokens() || s.tokens.size() >= contextLength()) {
            finish(s, Finish.LENGTH);
        }
    }

    /** Ends a sequence: flushes held text, reports, frees its slot (its cells stay as an idle prefix). */
    private void finish(Sequence s, Finish how) {
        boolean wasRunning = running.remove(s);
        waiting.remove(s);
        if (how != Finish.CANCEL && !s.stops.stopped()) {
            String rest = s.stops.push(s.utf8.flush());
            rest += s.stops.flush();
            if (!rest.isEmpty()) {
                s.text.append(rest);
                String out = rest;
                notify(s, () -> s.listener.onText(out, -1));
            }
        }
        if (wasRunning && s.slot >= 0) {
            slots.release(s.slot, new SlotTable.Idle(s.tokens, s.computed));
            s.slot = -1;
        }
        if (s.swapped != null) {
            host.remove(s.swapped);
            s.swapped = null;
        }
        s.sampler.close();
        inSystem.decrementAndGet();
        String text = s.text.toString();
        try {
            s.listener.onFinish(how, text, s.promptLength, s.generated);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a listener failed on finish", e);
        }
    }

    /** Calls a listener; a listener that throws cancels its sequence (it can no longer receive). */
    private void notify(Sequence s, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "a listener failed; cancelling its sequence", e);
            s.cancel();
        }
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
        stats = new ServeStats(q, running.size(), slots.cellsHeld(), cells, promptTokens, reusedTokens, generatedTokens,
                hits, misses, preemptions, host.stats());
    }
}
