package io.infernet.node.cli;

import io.infernet.natives.LibraryDir;
import io.infernet.natives.NativeBundle;
import io.infernet.natives.NativePin;
import io.infernet.natives.Progress;
import io.infernet.natives.SourceBuild;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infernet native}: where llama.cpp comes from; fetch, build, select. */
@Command(name = "native", mixinStandardHelpOptions = true,
        description = "Manage the pinned llama.cpp: prebuilt CPU libraries from npm, or source builds (CUDA, ROCm, Metal, Vulkan, native CPU).",
        subcommands = {NativeCommand.Info.class, NativeCommand.Fetch.class, NativeCommand.Build.class, NativeCommand.Use.class})
public final class NativeCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        new Info().call();
    }

    @Command(name = "info", description = "Show which llama.cpp libraries the runtime will load.")
    static final class Info implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("pin:        " + NativePin.ID + " (llama.cpp " + NativePin.LLAMA_CPP_RELEASE + ")");
            System.out.println("cache:      " + NativeBundle.pinDir());
            LibraryDir libs = NativeBundle.resolve(Progress.STDERR);
            System.out.println("libraries:  " + libs.dir());
            System.out.println("origin:     " + libs.origin());
            System.out.println("backends:   " + String.join(", ", libs.backendLibraries()));
            return 0;
        }
    }

    @Command(name = "fetch", description = "Fetch and verify the prebuilt CPU libraries and the source of the pin.")
    static final class Fetch implements Callable<Integer> {
        @Override
        public Integer call() {
            LibraryDir libs = NativeBundle.cpuLibraries(Progress.STDERR);
            System.out.println("libraries: " + libs.dir());
            System.out.println("source:    " + NativeBundle.source(Progress.STDERR));
            return 0;
        }
    }

    @Command(name = "build", description = "Build the pin from source with CMake and use it from now on.")
    static final class Build implements Callable<Integer> {
        @Option(names = "--backend", defaultValue = "auto",
                description = "auto (CUDA with nvcc, ROCm with hipcc, Metal on macOS, else cpu-native), or one of: cpu-native, cpu-all, cuda, rocm, metal, vulkan")
        String backend;

        @Option(names = "--target", description = "Extra CMake targets to build, e.g. llama-bench, llama-server")
        List<String> targets = List.of();

        @Option(names = "--cmake-flag", description = "Extra -D flags passed to the CMake configure step (first build only)")
        List<String> flags = List.of();

        @Option(names = "--no-select", description = "Build only; keep loading the current libraries")
        boolean noSelect;

        @Override
        public Integer call() {
            SourceBuild.Backend b = backend.equals("auto") ? SourceBuild.autodetect() : SourceBuild.Backend.parse(backend);
            LibraryDir libs = SourceBuild.build(b, targets, flags, Progress.STDERR);
            if (!noSelect) {
                SourceBuild.select(b);
            }
            System.out.println("built " + b.id() + ": " + libs.dir() + (noSelect ? "" : " (selected)"));
            return 0;
        }
    }

    @Command(name = "use", description = "Choose which libraries the runtime loads: 'prebuilt' or a backend built before.")
    static final class Use implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "WHICH", description = "prebuilt, or " + "cpu-native, cpu-all, cuda, rocm, metal, vulkan")
        String which;

        @Override
        public Integer call() {
            if (which.equals("prebuilt")) {
                SourceBuild.unselect();
                System.out.println("using the prebuilt libraries of " + NativePin.LINUX_X64.spec());
            } else {
                SourceBuild.Backend b = SourceBuild.Backend.parse(which);
                SourceBuild.select(b);
                System.out.println("using the " + b.id() + " build in " + SourceBuild.buildDir(b));
            }
            return 0;
        }
    }
}
