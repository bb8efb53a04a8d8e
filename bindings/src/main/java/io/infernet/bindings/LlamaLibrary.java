package io.infernet.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The loaded llama.cpp libraries, one set per process. {@link #load} must run before the first
 * binding call; each binding links its symbol lazily on first use through {@link #downcall}.
 *
 * <p>The libraries are loaded in {@link Arena#global()}: native threads of ggml outlive any
 * scope we could give them, so they are never unloaded.
 */
public final class LlamaLibrary {
    private LlamaLibrary() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static volatile SymbolLookup lookup;
    private static volatile Path loadedFrom;

    /**
     * Loads {@code libggml-base}, {@code libggml} and {@code libllama}, in that order (each
     * depends on the one before; the {@code ggml_backend_*} symbols live in libggml, not in
     * libllama). Loading again from the same folder is a no-op; from another one is an error.
     */
    public static synchronized void load(Path ggmlBase, Path ggml, Path llama) {
        Path dir = llama.toAbsolutePath().getParent();
        if (lookup != null) {
            if (!dir.equals(loadedFrom)) {
                throw new IllegalStateException("llama.cpp is already loaded from " + loadedFrom + "; cannot load a second copy from " + dir);
            }
            return;
        }
        Arena global = Arena.global();
        SymbolLookup base = SymbolLookup.libraryLookup(ggmlBase, global);
        SymbolLookup backend = SymbolLookup.libraryLookup(ggml, global);
        SymbolLookup main = SymbolLookup.libraryLookup(llama, global);
        lookup = main.or(backend).or(base);
        loadedFrom = dir;
    }

    public static boolean isLoaded() {
        return lookup != null;
    }

    /** The folder the libraries were loaded from, if loaded. */
    public static Optional<Path> loadedFrom() {
        return Optional.ofNullable(loadedFrom);
    }

    /** Looks a symbol up in the loaded libraries. */
    public static Optional<MemorySegment> find(String name) {
        SymbolLookup l = lookup;
        if (l == null) {
            throw new IllegalStateException("llama.cpp is not loaded yet; load it first (LlamaRuntime.load)");
        }
        return l.find(name);
    }

    /** Links a downcall handle; {@code critical} calls skip the thread-state transition. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical) {
        MemorySegment symbol = find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "symbol " + name + " not found in the llama.cpp libraries loaded from " + loadedFrom
                        + "; they are not the pinned version"));
        return critical
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(false))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /** Makes an upcall stub in {@code arena} (which must outlive every native use of it). */
    public static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor, Arena arena) {
        return LINKER.upcallStub(target, descriptor, arena);
    }

    /** Wraps what a downcall threw; native calls themselves do not throw, so this is a bug. */
    public static RuntimeException rethrow(String function, Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("calling " + function + " failed", t);
    }
}
