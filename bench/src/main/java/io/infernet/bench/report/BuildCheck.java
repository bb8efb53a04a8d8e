package io.infernet.bench.report;

import io.infernet.natives.Exec;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code --build-check <backend>}: runs only the CMake configure step of the pin for a backend
 * into a temporary folder (deleted afterwards) and reports whether it succeeded. Proves the
 * toolchain is found and the build is set up, without compiling any kernel (a CUDA build takes
 * hours on two cores).
 *
 * <p>For CUDA, two pieces a toolkit may lack can come from elsewhere: cuBLAS from the folder
 * {@value #CUBLAS_DIR_ENV} names ({@code lib/} and {@code include/}, as NVIDIA's
 * {@code nvidia-cublas} wheel lays them out under {@code nvidia/cu13}), and, on a machine without
 * a GPU driver whose toolkit has no {@code stubs/libcuda.so}, an empty stub library made here with
 * gcc: configure only needs a file to name, and nothing is linked.
 */
public final class BuildCheck {
    private BuildCheck() {}

    /** A folder with cuBLAS's {@code lib/} and {@code include/}, for a CUDA toolkit that has none. */
    public static final String CUBLAS_DIR_ENV = "INFERNET_CUBLAS_DIR";

    /** Lines of CMake's output worth repeating in the report. */
    private static final List<String> FACT_MARKERS = List.of("compiler identification", "CUDA Toolkit found", "Found CUDAToolkit",
            "CUDA architectures", "Using CUDA", "CUDA host compiler", "Including CUDA backend", "Including CPU backend", "HIP", "Vulkan",
            "Configuring done", "Generating done", "Generate step failed", "Configuring incomplete", "Build files have been written");

    /**
     * @param extraFlags flags after the backend's own, e.g. {@code -DCMAKE_CUDA_ARCHITECTURES=90}: with
     *                   {@code GGML_NATIVE} llama.cpp asks CMake for the architectures of the GPUs present,
     *                   which fails on a machine without one
     */
    public static BuildCheckResult configure(SourceBuild.Backend backend, List<String> extraFlags, Progress progress) {
        Path source = NativeBundle.source(progress);
        Path tmp;
        try {
            tmp = Files.createTempDirectory("infernet-buildcheck-" + backend.id() + "-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary build folder: " + e.getMessage(), e);
        }
        try {
            List<String> flags = new ArrayList<>(extraFlags);
            List<String> notes = new ArrayList<>();
            if (backend == SourceBuild.Backend.CUDA) {
                flags.addAll(cudaFlags(System.getenv(CUBLAS_DIR_ENV), tmp, notes));
            }
            List<String> cmd = SourceBuild.configureCommand(source, tmp.resolve("build"), backend, flags);
            progress.step("build check: configuring llama.cpp for " + backend.id() + " in " + tmp + " (configure only)");
            List<String> facts = new ArrayList<>(notes);
            long t0 = System.nanoTime();
            List<String> stderr = java.util.Collections.synchronizedList(new ArrayList<>());
            Exec.Result r = Exec.run(cmd, tmp, Map.of(), Duration.ofMinutes(10), stderr::add);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<String> all = new ArrayList<>(List.of(r.stdout().split("\n")));
            all.addAll(stderr);
            for (String line : all) {
                String l = line.strip();
                if (FACT_MARKERS.stream().anyMatch(m -> l.toLowerCase(Locale.ROOT).contains(m.toLowerCase(Locale.ROOT)))) {
                    facts.add(l.startsWith("-- ") ? l.substring(3) : l);
                }
            }
            if (r.exitCode() != 0) {
                facts.addAll(diagnose(all));
            }
            List<String> tail = new ArrayList<>();
            if (r.exitCode() != 0) {
                String[] lines = (r.stdout() + "\n" + r.tail()).split("\n");
                for (int i = Math.max(0, lines.length - 30); i < lines.length; i++) {
                    tail.add(lines[i]);
                }
            }
            return new BuildCheckResult(backend.id(), r.exitCode() == 0, seconds, String.join(" ", cmd).replace(tmp.toString(), "$TMP"),
                    facts.stream().map(f -> f.replace(tmp.toString(), "$TMP")).distinct().toList(), tail);
        } finally {
            delete(tmp);
        }
    }

    /**
     * Flags for the CUDA pieces the toolkit lacks: cuBLAS from {@code cublasDir} (when given), and a
     * stub driver library made in {@code tmp} when there is neither a driver nor a toolkit stub.
     * Says what it did in {@code notes}.
     */
    static List<String> cudaFlags(String cublasDir, Path tmp, List<String> notes) {
        List<String> flags = new ArrayList<>();
        if (cublasDir != null && !cublasDir.isBlank()) {
            Path dir = Path.of(cublasDir);
            Path lib = newest(dir.resolve("lib"), "libcublas.so");
            Path lt = newest(dir.resolve("lib"), "libcublasLt.so");
            if (lib == null || lt == null || !Files.isRegularFile(dir.resolve("include/cublas_v2.h"))) {
                notes.add(CUBLAS_DIR_ENV + "=" + dir + " has no lib/libcublas.so*, lib/libcublasLt.so* and include/cublas_v2.h; not used");
            } else {
                String include = "-I" + dir.resolve("include");
                flags.addAll(List.of("-DCUDA_cublas_LIBRARY=" + lib, "-DCUDA_cublasLt_LIBRARY=" + lt, "-DCMAKE_CUDA_FLAGS=" + include,
                        "-DCMAKE_CXX_FLAGS=" + include));
                notes.add("cuBLAS from " + CUBLAS_DIR_ENV + "=" + dir);
            }
        }
        if (!hasDriverLibrary()) {
            Path stubDir = tmp.resolve("stub");
            try {
                Files.createDirectories(stubDir);
                Path c = Files.writeString(stubDir.resolve("stub.c"), "/* stands in for libcuda.so during configure */\n");
                Exec.Result r = Exec.run(List.of("gcc", "-shared", "-o", stubDir.resolve("libcuda.so").toString(), c.toString()), stubDir,
                        Map.of(), Duration.ofMinutes(1), line -> { });
                if (r.exitCode() == 0) {
                    flags.add("-DCUDA_cuda_driver_LIBRARY=" + stubDir.resolve("libcuda.so"));
                    notes.add("no GPU driver (libcuda.so) and no stubs/libcuda.so in the toolkit: an empty stub stands in (configure only)");
                }
            } catch (IOException | RuntimeException e) {
                notes.add("no GPU driver and no toolkit stub, and no stub could be made: " + e.getMessage());
            }
        }
        return flags;
    }

    /** A driver library or the toolkit's stub where CMake's FindCUDAToolkit looks for one. */
    private static boolean hasDriverLibrary() {
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/cuda/lib64/stubs",
                "/usr/local/cuda/targets/x86_64-linux/lib/stubs")) {
            if (Files.exists(Path.of(d, "libcuda.so")) || Files.exists(Path.of(d, "libcuda.so.1"))) {
                return true;
            }
        }
        String home = System.getenv("CUDA_HOME");
        return home != null && (Files.exists(Path.of(home, "lib64/stubs/libcuda.so"))
                || Files.exists(Path.of(home, "targets/x86_64-linux/lib/stubs/libcuda.so")));
    }

    /** {@code prefix} itself or its versioned file ({@code prefix.N...}) in {@code dir}, or null. */
    private static Path newest(Path dir, String prefix) {
        if (Files.isRegularFile(dir.resolve(prefix))) {
            return dir.resolve(prefix);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix + ".")).sorted(Comparator.reverseOrder()).findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * What a failed configure means, in words: CMake's "links to: CUDA::x but the target was not
     * found" is a library missing from the toolkit.
     */
    static List<String> diagnose(List<String> output) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < output.size(); i++) {
            String l = output.get(i).strip();
            if (l.startsWith("CMake Error")) {
                out.add("CMake error: " + l);
            }
            if (l.endsWith("links to:")) {
                String target = "";
                for (int j = i + 1; j < output.size() && target.isEmpty(); j++) {
                    target = output.get(j).strip();
                }
                if (target.startsWith("CUDA::")) {
                    String lib = target.substring(6);
                    out.add("missing library: " + target + " is not in the CUDA toolkit CMake found (lib" + lib + " and its headers); "
                            + "install the toolkit's " + lib + " (e.g. the distribution's cuda-libraries-dev)"
                            + (lib.startsWith("cublas") ? ", or point " + CUBLAS_DIR_ENV + " at NVIDIA's nvidia-cublas wheel unpacked "
                            + "(its nvidia/cu13 folder)" : ""));
                } else if (!target.isEmpty()) {
                    out.add("missing library: " + target);
                }
            }
        }
        return out;
    }

    private static void delete(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
