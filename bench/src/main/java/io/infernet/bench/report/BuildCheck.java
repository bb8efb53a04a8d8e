package io.infernet.bench.report;

import io.infernet.bench.process.Exec;
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
 */
public final class BuildCheck {
    private BuildCheck() {}

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
            List<String> cmd = SourceBuild.configureCommand(source, tmp.resolve("build"), backend, extraFlags);
            progress.step("build check: configuring llama.cpp for " + backend.id() + " in " + tmp + " (configure only)");
            List<String> facts = new ArrayList<>();
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
                            + "install the toolkit's " + lib + " (e.g. the distribution's cuda-libraries-dev, or NVIDIA's nvidia-" + lib
                            + " wheel placed in the toolkit)");
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
