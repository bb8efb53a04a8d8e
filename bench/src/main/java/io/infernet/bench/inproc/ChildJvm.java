package io.infernet.bench.inproc;

import io.infernet.natives.NativeBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The command line of a child JVM running {@link ProbeMain} (or another main class of the class
 * path, e.g. the CLI for {@code infernet serve}): this JVM's java, this class path,
 * the flags FFM and the Vector API need, and, when given, the llama.cpp library folder as
 * {@code -Dinfernet.llama.dir} (the runtime loads llama.cpp once per process, so comparing two
 * builds takes two processes).
 *
 * @param java       the java executable
 * @param classpath  the class path
 * @param jvmFlags   flags before the main class
 * @param libraryDir the llama.cpp libraries to load; empty: the runtime's own choice
 * @param mainClass  the class to run
 * @param args       its arguments
 */
public record ChildJvm(Path java, String classpath, List<String> jvmFlags, Optional<Path> libraryDir, String mainClass, List<String> args) {

    /** The flags every JVM of this project runs with. */
    public static final List<String> FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
            "-XX:+UseParallelGC");

    public ChildJvm {
        Objects.requireNonNull(java, "java");
        Objects.requireNonNull(classpath, "classpath");
        Objects.requireNonNull(libraryDir, "libraryDir");
        Objects.requireNonNull(mainClass, "mainClass");
        jvmFlags = List.copyOf(jvmFlags);
        args = List.copyOf(args);
        if (classpath.isBlank()) {
            throw new IllegalArgumentException("the child JVM needs a class path");
        }
    }

    /** A probe child of this JVM: same java, same class path. */
    public static ChildJvm ofCurrent(Optional<Path> libraryDir, List<String> args) {
        return ofCurrent(libraryDir, ProbeMain.class.getName(), args);
    }

    /** A child of this JVM running {@code mainClass}. */
    public static ChildJvm ofCurrent(Optional<Path> libraryDir, String mainClass, List<String> args) {
        return new ChildJvm(Path.of(System.getProperty("java.home"), "bin", "java"), System.getProperty("java.class.path"), FLAGS,
                libraryDir, mainClass, args);
    }

    public List<String> command() {
        List<String> c = new ArrayList<>();
        c.add(java.toString());
        c.addAll(jvmFlags);
        libraryDir.ifPresent(d -> c.add("-D" + NativeBundle.LIB_DIR_PROPERTY + "=" + d));
        c.add("-cp");
        c.add(classpath);
        c.add(mainClass);
        c.addAll(args);
        return List.copyOf(c);
    }

    /** The arguments of a probe run. */
    public static List<String> probeArgs(Path model, int threads, int reps, int pp, int tg, int gpuLayers) {
        return List.of("--model", model.toString(), "--threads", Integer.toString(threads), "--reps", Integer.toString(reps),
                "--pp", Integer.toString(pp), "--tg", Integer.toString(tg), "--gpu-layers", Integer.toString(gpuLayers));
    }
}
