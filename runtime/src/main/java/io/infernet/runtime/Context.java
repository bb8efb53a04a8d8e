package io.infernet.runtime;

import io.infernet.bindings.llama_context_params;
import io.infernet.bindings.llama_h;
import io.infernet.bindings.llama_perf_context_data;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A {@code llama_context}: the KV cache and compute state on a {@link Model}.
 *
 * <p>Ownership: one thread drives it (decodes, reads logits, edits memory); the engine loop
 * is that thread. It is closed before its model (the model closes it if it is still open).
 * A fatal decode error poisons it: every later call throws.
 */
public final class Context implements AutoCloseable {
    private final Model model;
    private final MemorySegment handle;
    private final MemorySegment memory;
    private final ContextParams params;
    private final int vocabSize;
    private final long logitsBytes;
    private final int kvCells;
    /** Our persistent CPU thread pool, or null where the backend offers none; freed after the context. */
    private final CpuThreadPool threads;
    private volatile boolean closed;
    private volatile String poisoned;
    /** The segment {@link #logits} returned last; engine thread only. */
    private MemorySegment lastLogits = MemorySegment.NULL;

    private Context(Model model, MemorySegment handle, ContextParams params, CpuThreadPool threads) {
        this.model = model;
        this.handle = handle;
        this.threads = threads;
        this.params = params;
        this.memory = llama_h.llama_get_memory(handle);
        this.vocabSize = model.vocab().size();
        this.logitsBytes = (long) vocabSize * Float.BYTES;
        this.kvCells = llama_h.llama_n_ctx(handle);
    }

    static Context create(Model model, ContextParams params) {
        long mark = NativeLog.mark();
        MemorySegment h;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = llama_h.llama_context_default_params(arena);
            llama_context_params.n_ctx(p, params.kvCells());
            llama_context_params.n_batch(p, params.batchSize());
            llama_context_params.n_ubatch(p, params.ubatchSize());
            llama_context_params.n_seq_max(p, params.maxSequences());
            llama_context_params.n_threads(p, params.threads());
            llama_context_params.n_threads_batch(p, params.threadsBatch());
            llama_context_params.embeddings(p, params.embeddings());
            llama_context_params.flash_attn_type(p, params.flashAttention());
            llama_context_params.kv_unified(p, params.unifiedKv());
            llama_context_params.no_perf(p, false);
            h = llama_h.llama_init_from_model(model.handle(), p);
        }
        if (h.equals(MemorySegment.NULL)) {
            List<String> why = NativeLog.problemsSince(mark);
            throw new LlamaException("llama.cpp could not create a context of " + params.kvCells() + " tokens on " + model.name()
                    + (why.isEmpty() ? "" : ": " + String.join("; ", why)));
        }
        CpuThreadPool pool = null;
        try {
            pool = CpuThreadPool.create(Math.max(params.threads(), params.threadsBatch()), CpuThreadPool.DEFAULT_POLL);
            if (pool != null) {
                llama_h.llama_attach_threadpool(h, pool.handle(), MemorySegment.NULL);
            }
        } catch (RuntimeException e) {
            llama_h.llama_free(h);
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
        return new Context(model, h, params, pool);
    }

    public Model model() {
        return model;
    }

    public ContextParams params() {
        return params;
    }

    /** Tokens of KV cache in all. */
    public int kvCells() {
        return kvCells;
    }

    /** Tokens of KV cache one sequence can use. */
    public int kvCellsPerSequence() {
        return llama_h.llama_n_ctx_seq(handle());
    }

    public int batchSize() {
        return llama_h.llama_n_batch(handle());
    }

    public int maxSequences() {
        return llama_h.llama_n_seq_max(handle());
    }

    /**
     * Runs the model on a batch.
     *
     * @return OK, NO_KV_SLOT or ABORTED
     * @throws FatalDecodeException for an internal failure (status below -1); the context is then unusable
     * @throws LlamaException        for a bad batch (-1); the context stays usable
     */
    public DecodeStatus decode(Batch batch) {
        if (batch.size() == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        int rc = llama_h.llama_decode(handle(), batch.struct());
        return switch (rc) {
            case 0 -> DecodeStatus.OK;
            case 1 -> DecodeStatus.NO_KV_SLOT;
            case 2 -> DecodeStatus.ABORTED;
            case -1 -> throw new LlamaException("llama_decode failed on " + model.name() + ": invalid batch (-1)");
            default -> {
                poisoned = "llama_decode failed: internal error (" + rc + ")";
                throw new FatalDecodeException("llama_decode failed on " + model.name() + ": internal error (" + rc + ")", rc);
            }
        };
    }

    /**
     * Logits of the output at batch index {@code i} of the last decode: {@code vocabSize}
     * floats, zero-copy over llama.cpp's buffer, valid only until the next decode.
     */
    public MemorySegment logits(int i) {
        long address = logitsAddress(handle(), i);
        if (address == 0) {
            throw new IllegalArgumentException("no logits for batch index " + i + " (was it marked for output?)");
        }
        // The output buffer moves only when llama.cpp grows it, so the segment over the same
        // address is reused: no allocation per token on the generation path.
        MemorySegment cached = lastLogits;
        if (cached.address() != address) {
            cached = MemorySegment.ofAddress(address).reinterpret(logitsBytes);
            lastLogits = cached;
        }
        return cached;
    }

    /**
     * {@code llama_get_logits_ith} linked to return the pointer as a 64-bit integer: on the LP64
     * ABIs we run on (x86-64 System V, AArch64) a pointer and an {@code int64_t} come back in the
     * same register, and no {@link MemorySegment} object is made per call, which the JIT cannot
     * always remove inside the big generation loop (measured: about 40 bytes per token).
     */
    private static final class LogitsIthRaw {
        static final MethodHandle HANDLE = io.infernet.bindings.LlamaLibrary.downcall("llama_get_logits_ith",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), true);
    }

    private static long logitsAddress(MemorySegment ctx, int i) {
        try {
            return (long) LogitsIthRaw.HANDLE.invokeExact(ctx, i);
        } catch (Throwable t) {
            throw io.infernet.bindings.LlamaLibrary.rethrow("llama_get_logits_ith", t);
        }
    }

    /** Pooled embedding of a sequence (models with pooling, context with embeddings on), or null. */
    public float[] sequenceEmbedding(int seqId) {
        MemorySegment p = llama_h.llama_get_embeddings_seq(handle(), seqId);
        if (p.equals(MemorySegment.NULL)) {
            return null;
        }
        return p.reinterpret((long) model.embeddingLength() * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Embedding of the output at batch index {@code i} (models without pooling). */
    public float[] tokenEmbedding(int i) {
        MemorySegment p = llama_h.llama_get_embeddings_ith(handle(), i);
        if (p.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("no embedding for batch index " + i);
        }
        return p.reinterpret((long) model.embeddingLength() * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
    }

    /** The pooling type llama.cpp uses (0 none, 1 mean, 2 cls, 3 last, 4 rank). */
    public int poolingType() {
        return llama_h.llama_pooling_type(handle());
    }

    // --- KV cache ------------------------------------------------------------------------

    /** Removes positions [p0, p1) of a sequence (-1 = open end; seqId -1 = all sequences). */
    public boolean removeTokens(int seqId, int p0, int p1) {
        return llama_h.llama_memory_seq_rm(memory(), seqId, p0, p1);
    }

    /** Makes positions [p0, p1) of {@code src} also belong to {@code dst}, without copying data (unified KV). */
    public void copySequence(int src, int dst, int p0, int p1) {
        llama_h.llama_memory_seq_cp(memory(), src, dst, p0, p1);
    }

    /** Largest position of a sequence in the cache, or -1 if empty. */
    public int maxPosition(int seqId) {
        return llama_h.llama_memory_seq_pos_max(memory(), seqId);
    }

    /** Empties the whole cache. */
    public void clearMemory() {
        llama_h.llama_memory_clear(memory(), true);
    }

    // --- sequence state (host copies of a sequence's KV) -------------------------------

    /** Bytes {@link #saveSequence} needs for a sequence now. */
    public long sequenceStateSize(int seqId) {
        return llama_h.llama_state_seq_get_size_ext(handle(), seqId, 0);
    }

    /** Copies a sequence's state (its KV cells) into {@code dst}; returns bytes written (0 = failure). */
    public long saveSequence(int seqId, MemorySegment dst) {
        return llama_h.llama_state_seq_get_data_ext(handle(), dst, dst.byteSize(), seqId, 0);
    }

    /** Restores a state saved by {@link #saveSequence} into sequence {@code seqId}; returns bytes read (0 = failure, e.g. no room). */
    public long restoreSequence(MemorySegment src, int seqId) {
        return llama_h.llama_state_seq_set_data_ext(handle(), src, src.byteSize(), seqId, 0);
    }

    // --- threads and timings --------------------------------------------------------------

    public void setThreads(int generation, int batch) {
        llama_h.llama_set_n_threads(handle(), generation, batch);
    }

    /** llama.cpp's own timing counters since creation or {@link #resetPerf()}. */
    public Perf perf() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = llama_h.llama_perf_context(arena, handle());
            return new Perf(llama_perf_context_data.t_p_eval_ms(d), llama_perf_context_data.t_eval_ms(d),
                    llama_perf_context_data.n_p_eval(d), llama_perf_context_data.n_eval(d));
        }
    }

    public void resetPerf() {
        llama_h.llama_perf_context_reset(handle());
    }

    /** llama.cpp's counters: prompt-eval and eval milliseconds and token counts. */
    public record Perf(double promptMs, double evalMs, int promptTokens, int evalTokens) {}

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("context is closed");
        }
        if (poisoned != null) {
            throw new IllegalStateException("context is unusable after an earlier failure: " + poisoned);
        }
        return handle;
    }

    private MemorySegment memory() {
        handle();
        return memory;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (threads != null) {
            llama_h.llama_detach_threadpool(handle);
        }
        llama_h.llama_free(handle);
        if (threads != null) {
            threads.close();
        }
        model.contextClosed(this);
    }
}
