package io.infernet.runtime;

import io.infernet.bindings.CTypes;
import io.infernet.bindings.ggml_backend_h;
import io.infernet.bindings.ggml_h;
import io.infernet.bindings.ggml_threadpool_params;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A persistent ggml CPU thread pool for one context, as llama-bench and llama-server attach
 * one. Without it, ggml makes a disposable pool for every graph it computes: per token, that
 * is a pool allocation (and, in builds without OpenMP, starting and joining the workers). With
 * {@code poll} above 0 the workers spin a while for the next graph instead of sleeping at once.
 *
 * <p>{@code ggml_threadpool_new} lives in the CPU backend, which is a separately loaded
 * library in some builds, so it is reached through the backend registry's proc address.
 */
final class CpuThreadPool implements AutoCloseable {

    /**
     * llama-bench's and llama-server's default polling level (0 = sleep at once, 100 = spin hard);
     * {@code -Dinfernet.ggml.poll=N} overrides it.
     */
    static final int DEFAULT_POLL = Integer.getInteger("infernet.ggml.poll", 50);

    private static final int GGML_BACKEND_DEVICE_TYPE_CPU = 0;

    private final MemorySegment pool;
    private final MethodHandle free;
    private boolean closed;

    private CpuThreadPool(MemorySegment pool, MethodHandle free) {
        this.pool = pool;
        this.free = free;
    }

    /** A pool of {@code threads} workers, or null where the loaded CPU backend offers none. */
    static CpuThreadPool create(int threads, int poll) {
        MemorySegment dev = ggml_backend_h.ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
        if (dev.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment reg = ggml_backend_h.ggml_backend_dev_backend_reg(dev);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment newFn = ggml_backend_h.ggml_backend_reg_get_proc_address(reg, arena.allocateFrom("ggml_threadpool_new"));
            MemorySegment freeFn = ggml_backend_h.ggml_backend_reg_get_proc_address(reg, arena.allocateFrom("ggml_threadpool_free"));
            if (newFn.equals(MemorySegment.NULL) || freeFn.equals(MemorySegment.NULL)) {
                return null;
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle newH = linker.downcallHandle(newFn, FunctionDescriptor.of(CTypes.C_POINTER, CTypes.C_POINTER));
            MethodHandle freeH = linker.downcallHandle(freeFn, FunctionDescriptor.ofVoid(CTypes.C_POINTER));
            MemorySegment params = ggml_h.ggml_threadpool_params_default(arena, threads);
            ggml_threadpool_params.poll(params, poll);
            MemorySegment pool = (MemorySegment) newH.invokeExact(params);
            if (pool.equals(MemorySegment.NULL)) {
                throw new LlamaException("ggml could not create a thread pool of " + threads + " threads");
            }
            return new CpuThreadPool(pool, freeH);
        } catch (LlamaException e) {
            throw e;
        } catch (Throwable t) {
            throw new LlamaException("creating ggml's thread pool failed: " + t.getMessage(), t);
        }
    }

    MemorySegment handle() {
        return pool;
    }

    /** Frees the pool; call after the context that used it is freed or detached. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            free.invokeExact(pool);
        } catch (Throwable t) {
            throw new IllegalStateException("ggml_threadpool_free failed", t);
        }
    }
}
