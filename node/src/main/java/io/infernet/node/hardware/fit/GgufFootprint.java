package io.infernet.node.hardware.fit;

import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.ModelShape;
import java.nio.file.Path;

/**
 * Builds a {@link ModelFootprint} from a GGUF file with the runtime's reader: the weight bytes
 * are the real sizes of its tensors, the shape comes from its metadata. Only the header is read.
 */
public final class GgufFootprint {
    private GgufFootprint() {}

    /**
     * Reads {@code file}'s header.
     *
     * @throws IllegalArgumentException naming the file when it is missing, not GGUF, truncated, or lacks a shape key
     */
    public static ModelFootprint read(Path file) {
        ModelShape s;
        try {
            s = GgufReader.read(file).shape();
        } catch (GgufException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String name = file.getFileName().toString();
        return new ModelFootprint(name, s.weightBytes(), s.layers(), s.embeddingLength(), s.headsKv(), s.headDim(),
                (int) Math.min(Integer.MAX_VALUE, s.contextLength()));
    }
}
