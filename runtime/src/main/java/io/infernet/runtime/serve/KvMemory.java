package io.infernet.runtime.serve;

import io.infernet.runtime.Context;
import java.lang.foreign.MemorySegment;

/**
 * The llama.cpp memory calls the {@link KvCache} makes, behind an interface so that the cache's
 * placement, swapping and reclaiming are tested with a fake, without a model. Positions are
 * token positions within a sequence; -1 stands for an open end. Engine thread only.
 */
interface KvMemory {

    /** Removes positions [from, to) of sequence {@code seq}. */
    void removeTokens(int seq, int from, int to);

    /** Makes positions [from, to) of {@code src} also belong to {@code dst} (cells are shared, not copied). */
    void copySequence(int src, int dst, int from, int to);

    /** The largest position sequence {@code seq} holds, or -1 when it holds none. */
    int maxPosition(int seq);

    /** Bytes {@link #saveState} needs for sequence {@code seq} now. */
    long stateSize(int seq);

    /** Copies sequence {@code seq}'s cells into {@code dst}; bytes written, 0 on failure. */
    long saveState(int seq, MemorySegment dst);

    /** Restores a saved state into sequence {@code seq}; bytes read, 0 on failure (no room). */
    long restoreState(MemorySegment src, int seq);

    /** The memory of a llama.cpp context. */
    static KvMemory of(Context ctx) {
        return new KvMemory() {
            @Override
            public void removeTokens(int seq, int from, int to) {
                ctx.removeTokens(seq, from, to);
            }

            @Override
            public void copySequence(int src, int dst, int from, int to) {
                ctx.copySequence(src, dst, from, to);
            }

            @Override
            public int maxPosition(int seq) {
                return ctx.maxPosition(seq);
            }

            @Override
            public long stateSize(int seq) {
                return ctx.sequenceStateSize(seq);
            }

            @Override
            public long saveState(int seq, MemorySegment dst) {
                return ctx.saveSequence(seq, dst);
            }

            @Override
            public long restoreState(MemorySegment src, int seq) {
                return ctx.restoreSequence(src, seq);
            }
        };
    }
}
