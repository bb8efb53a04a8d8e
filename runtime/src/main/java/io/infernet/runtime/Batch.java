package io.infernet.runtime;

import io.infernet.bindings.llama_batch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable {@code llama_batch} in memory we own: tokens, positions, sequence ids and which
 * tokens want logits. {@link #clear()} and {@link #add} allocate nothing, so one batch serves
 * every step of a generation loop. Not thread-safe; owned by the engine thread.
 */
public final class Batch implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final int maxSeqPerToken;
    private final MemorySegment struct;
    private final MemorySegment tokens;
    private final MemorySegment positions;
    private final MemorySegment nSeqIds;
    private final MemorySegment seqIdPtrs;
    private final MemorySegment seqIds;
    private final MemorySegment logits;
    private int size;
    private int outputs;

    /**
     * @param capacity       most tokens the batch holds
     * @param maxSeqPerToken most sequence ids one token may belong to (1 unless a token is shared)
     */
    public Batch(int capacity, int maxSeqPerToken) {
        if (capacity < 1 || maxSeqPerToken < 1) {
            throw new IllegalArgumentException("capacity and maxSeqPerToken must be >= 1");
        }
        this.capacity = capacity;
        this.maxSeqPerToken = maxSeqPerToken;
        struct = llama_batch.allocate(arena);
        tokens = arena.allocate(ValueLayout.JAVA_INT, capacity);
        positions = arena.allocate(ValueLayout.JAVA_INT, capacity);
        nSeqIds = arena.allocate(ValueLayout.JAVA_INT, capacity);
        seqIdPtrs = arena.allocate(ValueLayout.ADDRESS, capacity);
        seqIds = arena.allocate(ValueLayout.JAVA_INT, (long) capacity * maxSeqPerToken);
        logits = arena.allocate(ValueLayout.JAVA_BYTE, capacity);
        for (int i = 0; i < capacity; i++) {
            seqIdPtrs.setAtIndex(ValueLayout.ADDRESS, i, seqIds.asSlice((long) i * maxSeqPerToken * Integer.BYTES));
        }
        llama_batch.token(struct, tokens);
        llama_batch.embd(struct, MemorySegment.NULL);
        llama_batch.pos(struct, positions);
        llama_batch.n_seq_id(struct, nSeqIds);
        llama_batch.seq_id(struct, seqIdPtrs);
        llama_batch.logits(struct, logits);
        llama_batch.n_tokens(struct, 0);
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /** Tokens marked for output so far. */
    public int outputs() {
        return outputs;
    }

    public void clear() {
        size = 0;
        outputs = 0;
        llama_batch.n_tokens(struct, 0);
    }

    /**
     * Appends a token of one sequence.
     *
     * @return its index in the batch (what {@link Context#logits(int)} takes when {@code output})
     */
    public int add(int token, int position, int seqId, boolean output) {
        if (size == capacity) {
            throw new IllegalStateException("batch full (" + capacity + " tokens)");
        }
        int i = size;
        tokens.setAtIndex(ValueLayout.JAVA_INT, i, token);
        positions.setAtIndex(ValueLayout.JAVA_INT, i, position);
        nSeqIds.setAtIndex(ValueLayout.JAVA_INT, i, 1);
        seqIds.setAtIndex(ValueLayout.JAVA_INT, (long) i * maxSeqPerToken, seqId);
        logits.set(ValueLayout.JAVA_BYTE, i, (byte) (output ? 1 : 0));
        if (output) {
            outputs++;
        }
        size = i + 1;
        llama_batch.n_tokens(struct, size);
        return i;
    }

    /** Appends a token shared by several sequences (a common prefix decoded once). */
    public int add(int token, int position, int[] seqIdsOfToken, boolean output) {
        if (seqIdsOfToken.length < 1 || seqIdsOfToken.length > maxSeqPerToken) {
            throw new IllegalArgumentException("a token belongs to 1.." + maxSeqPerToken + " sequences here, got " + seqIdsOfToken.length);
        }
        int i = add(token, position, seqIdsOfToken[0], output);
        nSeqIds.setAtIndex(ValueLayout.JAVA_INT, i, seqIdsOfToken.length);
        for (int k = 1; k < seqIdsOfToken.length; k++) {
            seqIds.setAtIndex(ValueLayout.JAVA_INT, (long) i * maxSeqPerToken + k, seqIdsOfToken[k]);
        }
        return i;
    }

    /** Token at index {@code i} (for checks and tests). */
    public int token(int i) {
        return tokens.getAtIndex(ValueLayout.JAVA_INT, i);
    }

    /** The struct passed by value to llama_decode. */
    MemorySegment struct() {
        return struct;
    }

    @Override
    public void close() {
        arena.close();
    }
}
