package io.infernet.bench.compare;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One side of a comparison: llama.cpp's own {@code llama-bench}, or our runtime in a child JVM on a
 * given set of libraries.
 *
 * @param id         short key ({@code native}, {@code ours-same-build}, {@code ours-npm}, {@code ours})
 * @param label      for tables ("llama-bench (cpu-native build)")
 * @param isNative   true for llama-bench
 * @param libraryDir the libraries our side loads; empty for llama-bench, or for the runtime's own choice
 */
public record Variant(String id, String label, boolean isNative, Optional<Path> libraryDir) {
    public Variant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(libraryDir, "libraryDir");
    }

    public static final String NATIVE = "native";
    public static final String SAME_BUILD = "ours-same-build";
    public static final String NPM = "ours-npm";
    public static final String DEFAULT = "ours";
}
