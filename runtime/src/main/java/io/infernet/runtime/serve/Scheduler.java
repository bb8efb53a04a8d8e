package io.infernet.runtime.serve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Decides, once per engine step, which sequences run and how many of their tokens go into the
 * one {@code llama_decode} of the step. Pure logic: sequences and free capacity in, an
 * immutable plan out; it never touches native memory, so it is tested without a model.
 *
 * <p>Policy (continuous batching with chunked prefill):
 * <ol>
 *   <li>Admission: waiting sequences start in arrival order (FIFO; a preempted sequence keeps
 *       its original arrival, so it goes first), while a slot is free. A sequence that needs
 *       several slots at once (a request with several choices, which fork from it) waits until
 *       they are free, and no younger sequence overtakes it.</li>
 *   <li>Every running sequence that is decoding gets its one token first, so a long prompt
 *       never starves running streams.</li>
 *   <li>The rest of the token budget goes to prefills, oldest first, in chunks.</li>
 *   <li>If the step needs more KV cells than are free, the youngest running sequence is
 *       preempted (its cells come back) until it fits; the oldest is never preempted for a
 *       younger one.</li>
 * </ol>
 */
public final class Scheduler {
    private Scheduler() {}

    /** What the scheduler needs to know of a sequence. */
    public interface Seq {
        /** Order of arrival; smaller is older. Unique. */
        long arrival();

        /** Tokens of the sequence known (prompt and generated) but not yet in the KV cache. */
        int pendingTokens();

        /** Tokens of the sequence in the KV cache (cells it occupies). */
        int cachedTokens();

        /** Slots it takes when it starts (capped at {@link Limits#maxRunning()}); 1 for a plain sequence. */
        default int slotsNeeded() {
            return 1;
        }
    }

    /**
     * @param tokenBudget most tokens in one decode (the context's batch size)
     * @param maxRunning  most sequences running at once (slots, {@code --parallel})
     */
    public record Limits(int tokenBudget, int maxRunning) {
        public Limits {
            if (tokenBudget < 1 || maxRunning < 1) {
                throw new IllegalArgumentException("tokenBudget and maxRunning must be >= 1");
            }
        }
    }

    /**
     * Tokens of one sequence in this step.
     *
     * @param seq     the sequence
     * @param tokens  how many of its pending tokens, starting at its first pending one
     * @param samples whether this reaches its last known token, so a token is sampled after the decode
     */
    public record Work<S extends Seq>(S seq, int tokens, boolean samples) {}

    /** The step: work in batch order, and the sequences to preempt before it runs. */
    public record Plan<S extends Seq>(List<Work<S>> work, List<S> preempted) {
        public Plan {
            work = List.copyOf(work);
            preempted = List.copyOf(preempted);
        }

        public int tokens() {
            int n = 0;
            for (Work<S> w : work) {
                n += w.tokens();
            }
            return n;
        }

        public boolean isEmpty() {
            return work.isEmpty();
        }
    }

    private static final Comparator<Seq> BY_ARRIVAL = Comparator.comparingLong(Seq::arrival);

    /**
     * The waiting sequences to start now, oldest first, while their slots are free; the first one
     * that does not fit stops admission (FIFO).
     *
     * @param slotsTaken slots held by running sequences and reserved for their forks
     */
    public static <S extends Seq> List<S> admit(Collection<S> waiting, int slotsTaken, Limits limits) {
        int free = limits.maxRunning() - slotsTaken;
        if (free <= 0 || waiting.isEmpty()) {
            return List.of();
        }
        List<S> sorted = new ArrayList<>(waiting);
        sorted.sort(BY_ARRIVAL);
        List<S> out = new ArrayList<>();
        for (S s : sorted) {
            int need = Math.clamp(s.slotsNeeded(), 1, limits.maxRunning());
            if (need > free) {
                break;
            }
            out.add(s);
            free -= need;
        }
        return List.copyOf(out);
    }

    /**
     * Plans one step.
     *
     * @param running     the running sequences (any order)
     * @param freeKvCells KV cells not held by running sequences (cells of idle cached prefixes count as free: the engine reclaims them)
     */
    public static <S extends Seq> Plan<S> plan(Collection<S> running, Limits limits, int freeKvCells) {
        List<S> active = new ArrayList<>();
        for (S s : running) {
            if (s.pendingTokens() > 0) {
                active.add(s);
            }
        }
        active.sort(BY_ARRIVAL);
        List<S> preempted = new ArrayList<>();
        while (true) {
            List<Work<S>> work = allocate(active, limits.tokenBudget());
            int needed = 0;
            for (Work<S> w : work) {
                needed += w.tokens();
            }
            if (needed <= freeKvCells || active.size() <= 1) {
                if (needed > freeKvCells && !work.isEmpty()) {
                    // One sequence left and still too big: give it what fits (at least one token,
                    // the engine ends it as context-full when no cell is left at all).
                    Work<S> only = work.getFirst();
                    int fit = Math.max(0, freeKvCells);
                    work = fit == 0 ? List.of() : List.of(new Work<>(only.seq(), fit, fit == only.seq().pendingTokens()));
                }
                return new Plan<>(work, preempted);
            }
            S youngest = active.removeLast();
            preempted.add(youngest);
            freeKvCells += youngest.cachedTokens();
        }
    }

    /** Decodes first (one token each, oldest first), then prefill chunks from what is left. */
    private static <S extends Seq> List<Work<S>> allocate(List<S> active, int budget) {
        List<Work<S>> work = new ArrayList<>();
        for (S s : active) {
            if (budget == 0) {
                break;
            }
            if (s.pendingTokens() == 1) {
                work.add(new Work<>(s, 1, true));
                budget--;
            }
        }
        for (S s : active) {
            if (budget == 0) {
                break;
            }
            int pending = s.pendingTokens();
            if (pending > 1) {
                int n = Math.min(pending, budget);
                work.add(new Work<>(s, n, n == pending));
                budget -= n;
            }
        }
        return work;
    }
}
