package io.infernet.runtime.serve;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * The KV cache as the serving engine sees it: which slot (llama.cpp sequence id) each sequence
 * uses, what every slot's cells hold, and the host copies of saved states. {@link SlotTable}
 * decides where a prompt goes and {@link HostPromptCache} stores states; this class carries
 * those decisions out with the context's memory calls ({@link KvMemory}).
 *
 * <p>Engine thread only, except {@link #hostStats()}.
 */
final class KvCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KvCache.class.getName());

    /** Where a sequence was placed: its slot, and how many of its leading tokens are already in the cache. */
    record Binding(int slot, int reusedTokens) {}

    private final KvMemory memory;
    private final int cells;
    private final boolean unified;
    private final SlotTable slots;
    private final HostPromptCache host;
    /** Per slot, the idle content {@link #saveAhead} last tried (saved or not): each content is tried once. */
    private final SlotTable.Content[] triedAhead;
    private long sharedFromBusy;
    /** The last busy slot state {@link #stateOf} saved, and what it was saved from (slot, content, its cached tokens then). */
    private HostPromptCache.Scratch copiedMemory;
    private MemorySegment copied;
    private int copiedSlot = -1;
    private SlotTable.Content copiedContent;
    private int copiedTokens;

    /**
     * @param cells     KV cells in all
     * @param slotCount sequences that can hold cells at once
     * @param unified   one pool of cells shared by the slots (prefixes may be shared between slots); else a stream per slot
     * @param hostBytes host memory for saved states; 0 keeps none
     */
    KvCache(KvMemory memory, int cells, int slotCount, boolean unified, long hostBytes) {
        this.memory = memory;
        this.cells = cells;
        this.unified = unified;
        this.slots = new SlotTable(slotCount, unified);
        this.host = new HostPromptCache(hostBytes);
        this.triedAhead = new SlotTable.Content[slotCount];
    }

    int cells() {
        return cells;
    }

    /** Cells held by all slots, busy and idle (an upper bound: shared cells count once per slot). */
    int cellsHeld() {
        return slots.cellsHeld();
    }

    /** Cells held by the slots of running sequences. */
    int cellsHeldBusy() {
        return slots.cellsHeldBusy();
    }

    /**
     * Cells the running sequences may still fill: with one pool, those no busy slot holds (idle
     * slots' cells can be reclaimed); with a stream per slot, unbounded (a sequence only ever
     * fills its own stream, and the per-sequence limit ends it first).
     */
    int freeCells() {
        return unified ? cells - slots.cellsHeldBusy() : Integer.MAX_VALUE / 2;
    }

    HostPromptCache.Stats hostStats() {
        return host.stats();
    }

    /**
     * Gives a sequence a slot, with as much of its tokens from cache as there is: in the slot
     * itself, shared from another slot, restored from host memory, or moved there from an idle
     * slot. A sequence that was swapped out passes its saved state, which is released here.
     *
     * @param seq     the sequence (its tokens; it becomes the slot's busy content)
     * @param swapped the state saved when it was swapped out, or null
     */
    Binding bind(SlotTable.Content seq, HostPromptCache.Entry swapped) {
        IntList tokens = seq.tokens();
        int length = tokens.size();
        int[] toks = tokens.array();
        Optional<HostPromptCache.Match> hostMatch = host.longestPrefix(toks, length, SlotTable.MIN_SHARE);
        SlotTable.Placement p = slots.place(toks, length, hostMatch, host::covers);
        if (p.saveFirst()) {
            saveIdle(p.slot());
        }
        int reuse = 0;
        switch (p.source()) {
            case SAME_SLOT -> {
                memory.removeTokens(p.slot(), p.reuse(), -1);
                reuse = p.reuse();
            }
            case COPY_FROM_SLOT -> {
                memory.removeTokens(p.slot(), -1, -1);
                memory.copySequence(p.sourceSlot(), p.slot(), 0, p.reuse());
                reuse = p.reuse();
            }
            case HOST -> {
                // Saving the target's idle cells first may have replaced the matched entry by one that
                // covers it (a store drops the entries its tokens extend): restore whichever holds the prefix now.
                Optional<HostPromptCache.Entry> e = host.covering(toks, p.reuse());
                reuse = e.map(entry -> restore(p.slot(), entry, p.reuse())).orElse(0);
                if (e.isEmpty()) {
                    memory.removeTokens(p.slot(), -1, -1);
                }
            }
            case MOVE -> {
                // The source slot keeps its content; the target gets a copy and keeps the shared prefix.
                if (2L * slots.content(p.sourceSlot()).cachedTokens() < cells / slots.size()) {
                    reuse = copyState(p.sourceSlot(), p.slot(), p.reuse());
                    break;
                }
                // A whole-stream copy (the only copy llama.cpp makes across streams) costs less for a full stream.
                memory.removeTokens(p.slot(), -1, -1);
                memory.copySequence(p.sourceSlot(), p.slot(), -1, -1);
                memory.removeTokens(p.slot(), p.reuse(), -1);
                reuse = p.reuse();
            }
            case COPY_STATE -> {
                reuse = copyState(p.sourceSlot(), p.slot(), p.reuse());
                if (reuse > 0) {
                    sharedFromBusy++;
                }
            }
            case NONE -> memory.removeTokens(p.slot(), -1, -1);
        }
        if (swapped != null) {
            host.remove(swapped);
        }
        slots.assign(p.slot(), seq);
        return new Binding(p.slot(), reuse);
    }

    /**
     * Gives {@code child} a free slot holding a copy of the first {@code tokens} cells of busy slot
     * {@code from}: shared cells with one pool; with a stream per slot, a copy of the whole stream
     * (llama.cpp copies whole streams only), which is exact because a fork happens when the source
     * holds exactly those tokens (its prompt, just computed).
     *
     * @return the child's slot, or -1 when no slot is free
     * @throws IllegalStateException with a stream per slot, if the source holds other than {@code tokens} positions
     */
    int fork(int from, SlotTable.Content child, int tokens) {
        SlotTable.Placement p = slots.placeFork(from, tokens, host::covers);
        if (p == null) {
            return -1;
        }
        if (p.saveFirst()) {
            saveIdle(p.slot());
        }
        memory.removeTokens(p.slot(), -1, -1);
        if (unified) {
            memory.copySequence(from, p.slot(), 0, tokens);
        } else {
            int held = memory.maxPosition(from) + 1;
            if (held != tokens) {
                throw new IllegalStateException("slot " + from + " holds " + held + " positions, not the " + tokens
                        + " to fork; with a KV stream per slot only whole streams can be copied");
            }
            memory.copySequence(from, p.slot(), -1, -1);
        }
        slots.assign(p.slot(), child);
        return p.slot();
    }

    /**
     * Saves busy slot {@code slot}'s first {@code count} tokens (all it holds) to host memory, unless
     * the host cache is off or already covers them: for sequences that will want the same prefix
     * once a slot frees (the choices of a request that got no slot at its fork).
     */
    void keepInHost(int slot, IntList tokens, int count) {
        if (host.capacityBytes() > 0 && !host.covers(tokens.array(), count)) {
            save(slot, tokens, count, false);
        }
    }

    /** A sequence left its slot; its first {@code cachedTokens} tokens stay in the cells as an idle prefix for reuse. */
    void release(int slot, IntList tokens, int cachedTokens) {
        slots.release(slot, new SlotTable.Idle(tokens, cachedTokens));
    }

    /** A sequence left its slot and its cells are not worth keeping (it failed): they are freed. */
    void discard(int slot) {
        memory.removeTokens(slot, -1, -1);
        slots.release(slot, null);
    }

    /**
     * Swaps a running sequence out: its cells are saved to host memory (pinned until it comes
     * back) when the budget allows, then freed.
     *
     * @return the saved state, or null when it will be computed again
     */
    HostPromptCache.Entry swapOut(int slot, IntList tokens, int cachedTokens) {
        HostPromptCache.Entry saved = host.capacityBytes() > 0 ? save(slot, tokens, cachedTokens, true).orElse(null) : null;
        memory.removeTokens(slot, -1, -1);
        slots.release(slot, null);
        return saved;
    }

    /** A swapped-out sequence ended without coming back: its saved state goes. */
    void forget(HostPromptCache.Entry swapped) {
        host.remove(swapped);
    }

    /** Positions sequence {@code slot} holds in the cells now (after a decode that failed part way). */
    int positionsHeld(int slot) {
        return memory.maxPosition(slot) + 1;
    }

    /**
     * Saves one idle slot's cells to the host cache ahead of need: the copy that {@link #bind} would
     * otherwise make, before the prefill, when a new prompt takes the slot. The engine calls this
     * while no request waits, so that copy (1-2 ms a slot measured at 150 tokens of the demo model;
     * eight at once when eight streams end together) is not paid inside the next requests' time to
     * first token. Most recently finished first: their clients are the likeliest to come back.
     * States over {@link #AHEAD_MAX_BYTES} are left to {@link #bind}: such a copy could stall a
     * step for tens of milliseconds, and a slot the same client continues needs no copy at all.
     *
     * @return whether a slot was tried (its copy may still be refused by the host cache's budget);
     *         false when no idle slot is left to try, or the host cache is off
     */
    boolean saveAhead() {
        if (host.capacityBytes() == 0) {
            return false;
        }
        List<Integer> idle = slots.idleByLru();
        for (int i = idle.size() - 1; i >= 0; i--) {
            int slot = idle.get(i);
            SlotTable.Content c = slots.content(slot);
            if (triedAhead[slot] == c) {
                continue;
            }
            triedAhead[slot] = c;
            if (c.cachedTokens() >= SlotTable.MIN_REUSE && !host.covers(c.tokens().array(), c.cachedTokens())
                    && memory.stateSize(slot) <= AHEAD_MAX_BYTES) {
                saveIdle(slot);
                return true;
            }
        }
        return false;
    }

    /** The largest state {@link #saveAhead} copies: a few milliseconds of copying (the demo model's 150 tokens are 2.4 MB, 1-2 ms). */
    static final long AHEAD_MAX_BYTES = 8L << 20;

    /** Whether any idle slot still holds cells. */
    boolean hasIdleCells() {
        return !slots.idleByLru().isEmpty();
    }

    /** Frees idle slots' cells, least recently used first (saving them to host memory where worth it), until {@code needed} cells are free. */
    void reclaim(int needed) {
        if (!unified) {
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
            memory.removeTokens(slot, -1, -1);
            slots.clearIdle(slot);
        }
    }

    /**
     * Copies slot {@code from}'s cells into slot {@code to} as a sequence state and keeps the first
     * {@code reuse} tokens there (with a stream per slot, llama.cpp shares no cells between slots
     * and copies only whole streams); 0 if the copy failed and the prompt is computed.
     */
    private int copyState(int from, int to, int reuse) {
        memory.removeTokens(to, -1, -1);
        return restoreTrimmed(to, stateOf(from), reuse);
    }

    /** Restores a state (null: none could be saved) into emptied slot {@code slot} and keeps its first {@code reuse} tokens; 0 if that failed. */
    private int restoreTrimmed(int slot, MemorySegment state, int reuse) {
        if (state != null && memory.restoreState(state, slot) > 0) {
            memory.removeTokens(slot, reuse, -1);
            return reuse;
        }
        memory.removeTokens(slot, -1, -1);
        LOG.log(System.Logger.Level.WARNING, "restoring a prompt's saved state into a slot failed; computing it again");
        return 0;
    }

    /**
     * Slot {@code slot}'s state, saved once for all the prompts that copy it before the next decode
     * (several requests with one prefix arrive together); null if it could not be saved.
     */
    private MemorySegment stateOf(int slot) {
        SlotTable.Content c = slots.content(slot);
        if (copied == null || copiedSlot != slot || copiedContent != c || copiedTokens != c.cachedTokens()) {
            dropCopied();
            long size = memory.stateSize(slot);
            if (size <= 0) {
                return null;
            }
            MemorySegment seg;
            try {
                copiedMemory = host.scratch(size); // an evicted entry's memory when one holds it: no fresh pages to fault in
                seg = copiedMemory.segment();
            } catch (OutOfMemoryError e) { // no host memory for it now: the prompt is computed instead
                dropCopied();
                return null;
            }
            if (memory.saveState(slot, seg) <= 0) {
                dropCopied();
                return null;
            }
            copied = seg;
            copiedSlot = slot;
            copiedContent = c;
            copiedTokens = c.cachedTokens();
        }
        return copied;
    }

    /** Frees the state kept for copies: called once the step's sequences are placed (the next decode changes the source anyway). */
    void placed() {
        dropCopied();
    }

    private void dropCopied() {
        if (copiedMemory != null) {
            host.release(copiedMemory);
        }
        copiedMemory = null;
        copied = null;
        copiedSlot = -1;
        copiedContent = null;
    }

    /** The fewest tokens of computing that taking a prefix from a busy slot must save (cells are shared with one pool, copied with a stream per slot). */
    int minShare() {
        return unified ? SlotTable.MIN_REUSE : SlotTable.MIN_SHARE;
    }

    /** Prompts that copied their prefix from a running one ({@link SlotTable.Source#COPY_STATE}). */
    long sharedFromBusy() {
        return sharedFromBusy;
    }

    /**
     * The longest prefix of {@code tokens} this cache can give without copying from a busy slot:
     * an idle slot's, or a saved state's worth restoring.
     */
    int cachedPrefix(IntList tokens) {
        int n = tokens.size();
        int idle = slots.idlePrefix(tokens.array(), n);
        int saved = host.longestPrefix(tokens.array(), n, SlotTable.MIN_SHARE)
                .filter(m -> SlotTable.worthCopying(m.prefixLength(), m.entry().tokenCount())).map(HostPromptCache.Match::prefixLength).orElse(0);
        return Math.max(idle, saved);
    }

    /** Restores a saved state into an emptied slot and keeps its first {@code reuse} tokens; 0 if it did not fit. */
    private int restore(int slot, HostPromptCache.Entry entry, int reuse) {
        memory.removeTokens(slot, -1, -1);
        slots.clearIdle(slot);
        reclaim(entry.tokenCount());
        int kept = restoreTrimmed(slot, entry.state(), reuse);
        if (kept > 0) {
            host.restored(entry);
        }
        return kept;
    }

    /** Saves an idle slot's cells to the host cache (if they fit its budget). */
    private void saveIdle(int slot) {
        SlotTable.Content c = slots.content(slot);
        if (c == null || host.capacityBytes() == 0) {
            return;
        }
        save(slot, c.tokens(), c.cachedTokens(), false);
    }

    private Optional<HostPromptCache.Entry> save(int slot, IntList tokens, int count, boolean pinned) {
        long size = memory.stateSize(slot);
        if (size <= 0) {
            return Optional.empty();
        }
        return host.store(tokens.array(), count, size, pinned, seg -> memory.saveState(slot, seg));
    }

    @Override
    public void close() {
        dropCopied();
        host.close();
    }
}
