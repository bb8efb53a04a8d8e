package io.infernet.runtime;

import io.infernet.bindings.LlamaLibrary;
import io.infernet.bindings.ggml_backend_h;
import io.infernet.bindings.llama_h;
import io.infernet.natives.LibraryDir;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp loaded into this process: once per process, from the libraries
 * {@link NativeBundle#resolve} chooses. Order (see NATIVE.md): the three libraries, then the
 * log callback (so backend loading is captured), then the backends from the library folder
 * (ggml's own search looks next to the java executable and finds nothing), then
 * {@code llama_backend_init}.
 */
public final class LlamaRuntime {

    private static volatile LlamaRuntime instance;

    private final LibraryDir libraries;

    private LlamaRuntime(LibraryDir libraries) {
        this.libraries = libraries;
    }

    /** Loads llama.cpp if not yet loaded; safe to call from any thread, any number of times. */
    public static LlamaRuntime load(Progress progress) {
        LlamaRuntime r = instance;
        if (r != null) {
            return r;
        }
        synchronized (LlamaRuntime.class) {
            if (instance == null) {
                LibraryDir libs = NativeBundle.resolve(progress);
                LlamaLibrary.load(libs.ggmlBase(), libs.ggml(), libs.llama());
                NativeLog.install();
                try (Arena arena = Arena.ofConfined()) {
                    ggml_backend_h.ggml_backend_load_all_from_path(arena.allocateFrom(libs.dir().toString()));
                }
                llama_h.llama_backend_init();
                if (ggml_backend_h.ggml_backend_dev_count() == 0) {
                    throw new LlamaException("llama.cpp loaded from " + libs.dir() + " but no compute backend was found there "
                            + "(expected libggml-cpu-*.so or a build with the CPU backend linked in)");
                }
                instance = new LlamaRuntime(libs);
            }
            return instance;
        }
    }

    /** Loads with progress on standard error. */
    public static LlamaRuntime load() {
        return load(Progress.STDERR);
    }

    public LibraryDir libraries() {
        return libraries;
    }

    /** llama.cpp's version string of the loaded build. */
    public String version() {
        return llama_h.llama_version().reinterpret(256).getString(0, StandardCharsets.UTF_8);
    }

    /** llama.cpp's summary of the CPU features the build uses. */
    public String systemInfo() {
        return llama_h.llama_print_system_info().reinterpret(4096).getString(0, StandardCharsets.UTF_8);
    }

    public boolean supportsGpuOffload() {
        return llama_h.llama_supports_gpu_offload();
    }

    /** The devices of all loaded backends, with free and total memory now. */
    public List<BackendDevice> devices() {
        List<BackendDevice> out = new ArrayList<>();
        long n = ggml_backend_h.ggml_backend_dev_count();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            for (long i = 0; i < n; i++) {
                MemorySegment dev = ggml_backend_h.ggml_backend_dev_get(i);
                ggml_backend_h.ggml_backend_dev_memory(dev, free, total);
                MemorySegment reg = ggml_backend_h.ggml_backend_dev_backend_reg(dev);
                out.add(new BackendDevice(
                        cString(ggml_backend_h.ggml_backend_dev_name(dev)),
                        cString(ggml_backend_h.ggml_backend_dev_description(dev)),
                        BackendDevice.Type.of(ggml_backend_h.ggml_backend_dev_type(dev)),
                        free.get(ValueLayout.JAVA_LONG, 0),
                        total.get(ValueLayout.JAVA_LONG, 0),
                        reg.equals(MemorySegment.NULL) ? "" : cString(ggml_backend_h.ggml_backend_reg_name(reg))));
            }
        }
        return out;
    }

    static String cString(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }
}
