package io.infernet.natives;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the pin from its exact source with CMake, for a GPU backend or a CPU build tuned to
 * this machine. Each backend builds into its own folder {@code <pin>/builds/<name>/}; the
 * libraries land in its {@code bin/} with an {@code $ORIGIN} RUNPATH, the same layout the npm
 * package has, so {@link LibraryDir} loads either.
 */
public final class SourceBuild {
    private SourceBuild() {}

    /** What to build for. */
    public enum Backend {
        /** CPU only, {@code -march=native}, OpenMP: the fastest CPU build for this machine. */
        CPU_NATIVE("cpu-native", List.of("-DGGML_NATIVE=ON")),
        /** CPU, every variant as a loadable backend: reproduces the npm package's layout. */
        CPU_ALL("cpu-all", List.of("-DGGML_NATIVE=OFF", "-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON")),
        /** NVIDIA CUDA (needs nvcc); the CPU backend is built too. */
        CUDA("cuda", List.of("-DGGML_CUDA=ON", "-DGGML_NATIVE=ON")),
        /** AMD ROCm/HIP (needs hipcc). */
        ROCM("rocm", List.of("-DGGML_HIP=ON", "-DGGML_NATIVE=ON")),
        /** Apple Metal (macOS). */
        METAL("metal", List.of("-DGGML_METAL=ON", "-DGGML_NATIVE=ON")),
        /** Vulkan (needs the Vulkan SDK and glslc). */
        VULKAN("vulkan", List.of("-DGGML_VULKAN=ON", "-DGGML_NATIVE=ON"));

        private final String id;
        private final List<String> flags;

        Backend(String id, List<String> flags) {
            this.id = id;
            this.flags = flags;
        }

        public String id() {
            return id;
        }

        public List<String> flags() {
            return flags;
        }

        public static Backend parse(String s) {
            for (Backend b : values()) {
                if (b.id.equalsIgnoreCase(s) || b.name().equalsIgnoreCase(s)) {
                    return b;
                }
            }
            throw new IllegalArgumentException("unknown backend '" + s + "'; choose one of " + ids());
        }

        public static String ids() {
            return String.join(", ", java.util.Arrays.stream(values()).map(Backend::id).toList());
        }
    }

    /** The tools a build needs for a backend, and why one is missing, or empty if all are there. */
    public static Optional<String> missingTools(Backend backend) {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("cmake", "git")) {
            if (!Processes.onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!Processes.onPath("c++") && !Processes.onPath("g++") && !Processes.onPath("clang++")) {
            missing.add("a C++ compiler (g++ or clang++)");
        }
        switch (backend) {
            case CUDA -> {
                if (!Processes.onPath("nvcc") && !Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"))) {
                    missing.add("nvcc (the CUDA toolkit)");
                }
            }
            case ROCM -> {
                if (!Processes.onPath("hipcc") && !Files.isExecutable(Path.of("/opt/rocm/bin/hipcc"))) {
                    missing.add("hipcc (ROCm)");
                }
            }
            case METAL -> {
                if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac")) {
                    missing.add("macOS (Metal exists only there)");
                }
            }
            case VULKAN -> {
                if (!Processes.onPath("glslc")) {
                    missing.add("glslc (the Vulkan SDK's shader compiler)");
                }
            }
            default -> {
            }
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("cannot build the " + backend.id() + " backend: missing " + String.join(", ", missing));
    }

    /** The best backend this machine can build: CUDA with nvcc, ROCm with hipcc, Metal on macOS, else native CPU. */
    public static Backend autodetect() {
        for (Backend b : List.of(Backend.CUDA, Backend.ROCM, Backend.METAL)) {
            if (missingTools(b).isEmpty()) {
                return b;
            }
        }
        return Backend.CPU_NATIVE;
    }

    /** The build folder of a backend. */
    public static Path buildDir(Backend backend) {
        return NativeBundle.pinDir().resolve("builds").resolve(backend.id());
    }

    /** The CMake configure command line, as a value (tested without running it). */
    public static List<String> configureCommand(Path source, Path buildDir, Backend backend, List<String> extraFlags) {
        List<String> cmd = new ArrayList<>(List.of(
                "cmake", "-S", source.toString(), "-B", buildDir.toString(),
                "-DCMAKE_BUILD_TYPE=Release",
                "-DBUILD_SHARED_LIBS=ON",
                "-DLLAMA_BUILD_TESTS=OFF",
                "-DLLAMA_BUILD_APP=OFF",
                "-DCMAKE_SKIP_BUILD_RPATH=OFF",
                "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON",
                "-DCMAKE_INSTALL_RPATH=$ORIGIN"));
        cmd.addAll(backend.flags());
        cmd.addAll(extraFlags);
        return cmd;
    }

    /** The CMake build command line for some targets. */
    public static List<String> buildCommand(Path buildDir, List<String> targets, int jobs) {
        List<String> cmd = new ArrayList<>(List.of("cmake", "--build", buildDir.toString(), "--config", "Release", "-j", Integer.toString(jobs), "--target"));
        cmd.addAll(targets);
        return cmd;
    }

    /**
     * Configures (once) and builds {@code targets} (always including {@code llama}) for a
     * backend; up-to-date targets cost a few seconds. Returns the library folder.
     */
    public static LibraryDir build(Backend backend, List<String> targets, List<String> extraFlags, Progress progress) {
        missingTools(backend).ifPresent(why -> {
            throw new NativeException(why);
        });
        Path source = NativeBundle.source(progress);
        Path dir = buildDir(backend);
        List<String> all = new ArrayList<>(List.of("llama"));
        for (String t : targets) {
            if (!all.contains(t)) {
                all.add(t);
            }
        }
        int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
        NativeBundle.withLock(() -> {
            if (!Files.isRegularFile(dir.resolve("CMakeCache.txt"))) {
                progress.step("configuring llama.cpp " + NativePin.LLAMA_CPP_RELEASE + " for " + backend.id() + " in " + dir);
                Files.createDirectories(dir);
                Processes.check(dir, configureCommand(source, dir, backend, extraFlags), progress, 30);
            }
            progress.step("building " + String.join(", ", all) + " with " + jobs + " jobs (the first build takes minutes)");
            Processes.check(dir, buildCommand(dir, all, jobs), progress, 180);
        });
        return LibraryDir.locate(dir, "source build " + backend.id()).orElseThrow(() -> new NativeException(
                "the " + backend.id() + " build in " + dir + " finished but left no libllama in bin/ or lib/"));
    }

    /** A tool of the pin ({@code llama-bench}, {@code llama-server}, ...), built on demand. */
    public static Path tool(Backend backend, String name, Progress progress) {
        Path bin = buildDir(backend).resolve("bin").resolve(name);
        if (!Files.isExecutable(bin)) {
            build(backend, List.of(name), List.of(), progress);
        }
        if (!Files.isExecutable(bin)) {
            throw new NativeException("built " + name + " for " + backend.id() + " but " + bin + " is not there");
        }
        return bin;
    }

    /** Makes the runtime load this backend's build from now on (until {@link #unselect()}). */
    public static void select(Backend backend) {
        Path dir = buildDir(backend);
        if (LibraryDir.locate(dir, backend.id()).isEmpty()) {
            throw new NativeException("no " + backend.id() + " build in " + dir + "; build it first: ./infernet native build --backend " + backend.id());
        }
        try {
            Files.writeString(NativeBundle.pinDir().resolve("selected"), backend.id() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeException("cannot write the selection: " + e.getMessage(), e);
        }
    }

    /** Goes back to the prebuilt libraries. */
    public static void unselect() {
        try {
            Files.deleteIfExists(NativeBundle.pinDir().resolve("selected"));
        } catch (IOException e) {
            throw new NativeException("cannot remove the selection: " + e.getMessage(), e);
        }
    }

    /** The selected source build, if one is selected and still present. */
    public static Optional<LibraryDir> selected() {
        Path marker = NativeBundle.pinDir().resolve("selected");
        if (!Files.isRegularFile(marker)) {
            return Optional.empty();
        }
        try {
            Backend b = Backend.parse(Files.readString(marker, StandardCharsets.UTF_8).trim());
            return LibraryDir.locate(buildDir(b), "source build " + b.id() + " (selected)");
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Entry point for the Maven profile {@code native-source}: {@code -Dinfernet.native.backend=auto|cuda|...}. */
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : System.getProperty("infernet.native.backend", "auto");
        Backend backend = which.equals("auto") ? autodetect() : Backend.parse(which);
        LibraryDir libs = build(backend, List.of(), List.of(), Progress.STDERR);
        select(backend);
        System.err.println("[native] built and selected " + backend.id() + ": " + libs.dir());
    }
}
