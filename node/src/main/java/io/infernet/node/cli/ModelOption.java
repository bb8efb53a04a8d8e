package io.infernet.node.cli;

import io.infernet.natives.Progress;
import io.infernet.runtime.ModelProbe;
import io.infernet.runtime.gguf.DemoModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model PATH}, shared by the commands that load a model; none means the built-in demo model. */
public final class ModelOption {
    @Option(names = "--model", paramLabel = "PATH",
            description = "GGUF model file. Default: the built-in demo model (random weights, made on first use).")
    Path model;

    /**
     * The model to load, making the demo model if none was given (and saying plainly what it is).
     * A given file is first checked by {@link ModelProbe}, so that one llama.cpp would crash on is
     * refused with a message instead.
     */
    public Path resolve() {
        if (model != null) {
            ModelProbe.standard().require(model, line -> System.err.println("[infernet] " + line));
            return model;
        }
        Path demo = DemoModel.ensure(Progress.STDERR);
        System.err.println("[infernet] no --model given: using the built-in demo model " + demo.getFileName()
                + " (its weights are RANDOM, so its output is gibberish; it exists to exercise the whole path)");
        return demo;
    }

    public boolean isDemo() {
        return model == null;
    }
}
