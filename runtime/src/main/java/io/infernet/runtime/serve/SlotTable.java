package io.infernet.runtime.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The context's sequence slots and what each holds in the KV cache, and where a new prompt
 * should go to reuse the most of what is already computed. Pure bookkeeping: it decides, the
 * engine loop carries the decision out with llama.cpp's memory calls.
 *
 * <p>A slot is <em>busy</em> while a running sequence owns it, <em>idle</em> when a finished
 * sequence's tokens are still in its cells (kept for prefix reuse), <em>empty</em> otherwise.
 */
public final class SlotTable {

    /** Below this many shared tokens, keeping them in place is not worth tying a prompt to a slot. */
    public static final int MIN_REUSE = 16;

    /**
     * With a KV stream per slot, llama.cpp computes sequences of consecutive slots in one
     * micro-batch and breaks a step into one graph compute per run of slots, so busy slots are
     * kept packed from slot 0. Reusing a prefix in place in a slot that breaks the run is worth
     * it only for a prefix this long (recomputing it costs less than the extra compute per step).
     */
    public static final int PACK_OVER_REUSE_BELOW = 256;

    /**
     * The fewest shared tokens worth a state copy: from a busy slot (a KV stream per slot), or from
     * the host cache. Such a copy (save, restore into the new slot, trim) moves the source's held
     * tokens at memory speed, about 10 us a token of the demo model here (150 tokens, 2.4 MB, in
     * 1-2 ms), where computing a token of a prompt in a step costs about 0.4 ms.
     */
    public static final int MIN_SHARE = 8;

    /** A state is copied only while it holds at most this many times the tokens shared (the copy moves them all). */
    public static final int SHARE_HELD_PER_SHARED = 16;

    /** Whether copying a state of {@code held} tokens, {@code shared} of them a prompt's prefix, costs less than computing them. */
    public static boolean worthCopying(int shared, int held) {
        return shared >= MIN_SHARE && held <= (long) SHARE_HELD_PER_SHARED * shared;
    }

    /** What is in a slot's cells: {@code tokens[0..cached)}. */
    public interface Content {
        IntList tokens();

        int cachedTokens();
    }

    /** An idle slot's content: a snapshot of a finished sequence. */
    public record Idle(IntList tokens, int cachedTokens) implements Content {}

    /** Where a prompt's cached prefix comes from. */
    public enum Source {
        /** Nothing reused: prefill everything. */
        NONE,
        /** The target slot itself holds the prefix (trim its tail). */
        SAME_SLOT,
        /** Another slot holds it: share its cells ({@code llama_memory_seq_cp}). */
        COPY_FROM_SLOT,
        /** The host cache holds it: restore the saved state, then trim. */
        HOST,
        /**
         * A busy slot holds it and the slots have a KV stream each: copy that slot's cells as a
         * sequence state (save, restore into the target, trim). For concurrent requests with the
         * same long prefix (a shared system prompt, a client's parallel calls), which llama-server
         * computes once per slot.
         */
        COPY_STATE,
        /**
         * An idle slot that would break the packing holds it (a KV stream per slot): copy that
         * slot's cells into the target and trim them: as a sequence state while the slot holds
         * less than half its stream, else the whole stream ({@code llama_memory_seq_cp} across
         * streams copies the stream's buffers, all of them however few tokens they hold).
         */
        MOVE
    }

    /**
     * The decision for one prompt.
     *
     * @param slot        the slot the sequence gets
     * @param source      where its reused prefix comes from
     * @param reuse       tokens of the prompt that need no computing (always at most prompt length - 1: the last one is decoded for its logits)
     * @param sourceSlot  for COPY_FROM_SLOT, MOVE and COPY_STATE, the slot copied from; else -1
     * @param hostEntry   for HOST, the entry to restore; else null
     * @param saveFirst   the target slot holds tokens worth keeping that this placement overwrites: save them to the host cache first
     */
    public record Placement(int slot, Source source, int reuse, int sourceSlot, HostPromptCache.Entry hostEntry, boolean saveFirst) {}

    private final boolean shareAcrossSlots;
    private final Content[] contents;
    private final boolean[] busy;
    private final long[] lastUsed;
    private long clock;

    /** A table where prefixes can be shared between slots (one unified KV pool). */
    public SlotTable(int slots) {
        this(slots, true);
    }

    /**
     * @param shareAcrossSlots whether a busy slot's prefix may be shared into another slot; only
     *     with one unified KV pool (llama.cpp copies between per-slot streams only whole streams)
     */
    public SlotTable(int slots, boolean shareAcrossSlots) {
        this.shareAcrossSlots = shareAcrossSlots;
        contents = new Content[slots];
        busy = new boolean[slots];
        lastUsed = new long[slots];
    }

    public int size() {
        return contents.length;
    }

    public int freeSlots() {
        int n = 0;
        for (boolean b : busy) {
            if (!b) {
                n++;
            }
        }
        return n;
    }

    public boolean isBusy(int slot) {
        return busy[slot];
    }

    public Content content(int slot) {
        return contents[slot];
    }

    /** KV cells held by all slots (busy and idle), counting shared cells once per slot: an upper bound. */
    public int cellsHeld() {
        int n = 0;
        for (Content c : contents) {
            if (c != null) {
                n += c.cachedTokens();
            }
        }
        return n;
    }

    /** KV cells held by busy slots. */
    public int cellsHeldBusy() {
        int n = 0;
        for (int i = 0; i < contents.length; i++) {
            if (busy[i] && contents[i] != null) {
                n += contents[i].cachedTokens();
            }
        }
        return n;
    }

    /**
     * Chooses a slot for {@code prompt[0..length)}.
     *
     * @param host      the host cache's best match, if any
     * @param hostHas   whether the host cache already holds a run of tokens (so saving it again is pointless)
     * @throws IllegalStateException if no slot is free
     */
    public Placement place(int[] prompt, int length, Optional<HostPromptCache.Match> host, BiPredicate<int[], Integer> hostHas) {
        int bestIdle = -1;
        int bestIdleLcp = 0;
        int bestBusy = -1;
        int bestBusyLcp = 0;
        for (int i = 0; i < contents.length; i++) {
            Content c = contents[i];
            if (c == null) {
                continue;
            }
            int lcp = Math.min(c.cachedTokens(), c.tokens().commonPrefix(prompt, length));
            if (busy[i]) {
                if (lcp > bestBusyLcp && (shareAcrossSlots || worthCopying(lcp, c.cachedTokens()))) {
                    bestBusy = i;
                    bestBusyLcp = lcp;
                }
            } else if (lcp > bestIdleLcp || (lcp == bestIdleLcp && bestIdle >= 0 && lastUsed[i] > lastUsed[bestIdle])) {
                bestIdle = i;
                bestIdleLcp = lcp;
            }
        }
        int hostLcp = host.map(HostPromptCache.Match::prefixLength).orElse(0);
        int cap = length - 1;

        if (!shareAcrossSlots) { // with a stream per slot, a busy slot's prefix is taken only by a state copy
            if (bestBusy >= 0 && Math.min(bestBusyLcp, cap) >= Math.max(bestIdleLcp, hostLcp) + MIN_SHARE) {
                int target = pickTarget();
                return new Placement(target, Source.COPY_STATE, Math.min(bestBusyLcp, cap), bestBusy, null, worthSaving(target, 0, hostHas));
            }
            bestBusy = -1;
            bestBusyLcp = 0;
        }

        boolean packed = !shareAcrossSlots && bestIdle >= 0 && bestIdle != lowestFree() && bestIdleLcp < PACK_OVER_REUSE_BELOW;
        if (!packed && bestIdle >= 0 && bestIdleLcp >= MIN_REUSE && bestIdleLcp >= bestBusyLcp && bestIdleLcp >= hostLcp) {
            int reuse = Math.min(bestIdleLcp, cap);
            return new Placement(bestIdle, Source.SAME_SLOT, reuse, -1, null, worthSaving(bestIdle, reuse, hostHas));
        }
        int target = pickTarget();
        if (packed && bestIdleLcp >= MIN_REUSE && bestIdleLcp > hostLcp) {
            return new Placement(target, Source.MOVE, Math.min(bestIdleLcp, cap), bestIdle, null, worthSaving(target, 0, hostHas));
        }
        if (bestBusy >= 0 && bestBusyLcp >= MIN_REUSE && bestBusyLcp >= hostLcp) {
            return new Placement(target, Source.COPY_FROM_SLOT, Math.min(bestBusyLcp, cap), bestBusy, null, worthSaving(target, 0, hostHas));
        }
        if (host.isPresent() && worthCopying(hostLcp, host.get().entry().tokenCount())) {
            return new Placement(target, Source.HOST, Math.min(hostLcp, cap), -1, host.get().entry(), worthSaving(target, 0, hostHas));
        }
        // Nothing worth copying: the target's own prefix, however short, is free to keep.
        Content own = contents[target];
        int ownLcp = own == null ? 0 : Math.max(0, Math.min(own.cachedTokens(), own.tokens().commonPrefix(prompt, length)));
        int reuse = Math.min(ownLcp, cap);
        return new Placement(target, reuse > 0 ? Source.SAME_SLOT : Source.NONE, reuse, -1, null, worthSaving(target, reuse, hostHas));
    }

    /** The longest prefix of {@code prompt[0..length)} that an idle slot holds (what it may reuse without copying from a busy slot). */
    public int idlePrefix(int[] prompt, int length) {
        int best = 0;
        for (int i = 0; i < contents.length; i++) {
            if (!busy[i] && contents[i] != null) {
                best = Math.max(best, Math.min(contents[i].cachedTokens(), contents[i].tokens().commonPrefix(prompt, length)));
            }
        }
        return best;
    }

    /**
     * Chooses a slot for a sequence forked from busy slot {@code source}, which will hold a copy of
     * the source's first {@code tokens} cells: the slot a prompt with no reusable prefix would get.
     *
     * @return the placement ({@link Source#COPY_FROM_SLOT}), or null when no slot is free
     */
    public Placement placeFork(int source, int tokens, BiPredicate<int[], Integer> hostHas) {
        if (!busy[source]) {
            throw new IllegalStateException("slot " + source + " is not busy: there is nothing to fork from");
        }
        if (freeSlots() == 0) {
            return null;
        }
        int target = pickTarget();
        return new Placement(target, Source.COPY_FROM_SLOT, tokens, source, null, worthSaving(target, 0, hostHas));
    }

    /** The lowest-numbered slot that is not busy, or -1. */
    private int lowestFree() {
        for (int i = 0; i < busy.length; i++) {
            if (!busy[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where a prompt goes when no prefix decides: with a stream per slot, the lowest free slot
     * (packing); with one pool, an empty slot if there is one, else the least recently used idle one.
     */
    private int pickTarget() {
        if (!shareAcrossSlots) {
            int low = lowestFree();
            if (low < 0) {
                throw new IllegalStateException("no free slot");
            }
            return low;
        }
        int lru = -1;
        for (int i = 0; i < contents.length; i++) {
            if (busy[i]) {
                continue;
            }
            if (contents[i] == null || contents[i].cachedTokens() == 0) {
                return i;
            }
            if (lru < 0 || lastUsed[i] < lastUsed[lru]) {
                lru = i;
            }
        }
        if (lru < 0) {
            throw new IllegalStateException("no free slot");
        }
        return lru;
    }

    /** Whether overwriting all but {@code kept} tokens of an idle slot loses something worth a host copy. */
    private boolean worthSaving(int slot, int kept, BiPredicate<int[], Integer> hostHas) {
        Content c = contents[slot];
        if (c == null || busy[slot]) {
            return false;
        }
        int n = c.cachedTokens();
        return n - kept >= MIN_REUSE && !hostHas.test(c.tokens().array(), n);
    }

    /** Gives a slot to a running sequence. */
    public void assign(int slot, Content running) {
        if (busy[slot]) {
            throw new IllegalStateException("slot " + slot + " is busy");
        }
        busy[slot] = true;
        contents[slot] = running;
        lastUsed[slot] = ++clock;
    }

    /** A sequence left its slot; its cells stay (idle) with this content, or the slot is emptied with null. */
    public void release(int slot, Idle left) {
        busy[slot] = false;
        contents[slot] = left != null && left.cachedTokens() > 0 ? left : null;
        lastUsed[slot] = ++clock;
    }

    /** Marks an idle slot's cells as gone (the engine cleared them). */
    public void clearIdle(int slot) {
        if (busy[slot]) {
            throw new IllegalStateException("slot " + slot + " is busy");
        }
        contents[slot] = null;
    }

    /** Idle slots holding cells, least recently used first: what to reclaim when cells run out. */
    public List<Integer> idleByLru() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            if (!busy[i] && contents[i] != null && contents[i].cachedTokens() > 0) {
                out.add(i);
            }
        }
        out.sort((a, b) -> Long.compare(lastUsed[a], lastUsed[b]));
        return out;
    }
}
