package io.infernet.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A folder holding one llama.cpp build's shared libraries: {@code libggml-base}, {@code libggml},
 * {@code libllama} and, for builds with {@code GGML_BACKEND_DL}, the backend libraries
 * ({@code libggml-cpu-*.so}, {@code libggml-cuda.so}, ...).
 *
 * @param dir    the folder
 * @param origin where it came from, for messages ("npm @node-llama-cpp/linux-x64@3.22.1", "source build cuda", ...)
 */
public record LibraryDir(Path dir, String origin) {

    /** libggml-base: ggml's core; loaded first. */
    public Path ggmlBase() {
        return find("ggml-base").orElseThrow(() -> missing("ggml-base"));
    }

    /** libggml: the backend registry ({@code ggml_backend_*}); loaded second. */
    public Path ggml() {
        return find("ggml").orElseThrow(() -> missing("ggml"));
    }

    /** libllama; loaded last. */
    public Path llama() {
        return find("llama").orElseThrow(() -> missing("llama"));
    }

    /**
     * Finds {@code lib<name>.so}, {@code lib<name>.v<version>.so} or {@code lib<name>.dylib};
     * the npm build names its libraries with a version, a source build without.
     */
    public Optional<Path> find(String name) {
        for (String candidate : List.of("lib" + name + ".so", "lib" + name + ".dylib", name + ".dll")) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            String prefix = "lib" + name + ".v";
            return files.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith(prefix) && (f.endsWith(".so") || f.endsWith(".dylib"));
            }).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether this folder holds a loadable set (all three libraries). */
    public boolean isComplete() {
        return find("ggml-base").isPresent() && find("ggml").isPresent() && find("llama").isPresent();
    }

    /** The backend libraries present ({@code ggml-cpu-icelake}, {@code ggml-cuda}, ...), for messages. */
    public List<String> backendLibraries() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith("libggml-") && !f.startsWith("libggml-base") && (f.endsWith(".so") || f.endsWith(".dylib")))
                    .map(f -> f.substring(3, f.lastIndexOf('.')))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Accepts a llama.cpp build or install folder as a user gives it: the folder itself, or its
     * {@code bin/}, {@code lib/} or {@code lib64/} subfolder, whichever holds libllama.
     */
    public static Optional<LibraryDir> locate(Path root, String origin) {
        for (Path candidate : List.of(root, root.resolve("bin"), root.resolve("lib"), root.resolve("lib64"))) {
            LibraryDir d = new LibraryDir(candidate.toAbsolutePath().normalize(), origin);
            if (Files.isDirectory(candidate) && d.isComplete()) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private NativeException missing(String name) {
        return new NativeException("lib" + name + " not found in " + dir + " (" + origin + ")");
    }
}
