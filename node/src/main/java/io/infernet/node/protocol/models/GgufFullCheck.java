package io.infernet.node.protocol.models;

import io.infernet.natives.Progress;
import io.infernet.runtime.LlamaException;
import io.infernet.runtime.ModelProbe;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The runtime's model check as a {@link GgufValidator}: {@link ModelProbe} (structure,
 * hyperparameters, tensors and tokenizer in Java, then a load and a short run in a child
 * process, whose acceptance is cached by the file's header, so the installed file later loads
 * without a second child).
 */
public final class GgufFullCheck implements GgufValidator {
    private final ModelProbe probe;

    public GgufFullCheck() {
        this(ModelProbe.standard());
    }

    public GgufFullCheck(ModelProbe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    @Override
    public void validate(Path file) throws InvalidModelException {
        try {
            probe.require(file, Progress.NONE);
        } catch (LlamaException e) {
            throw new InvalidModelException(e.getMessage());
        }
    }
}
