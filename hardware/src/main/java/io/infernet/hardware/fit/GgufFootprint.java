package io.infernet.hardware.fit;

import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import java.nio.file.Path;

/**
 * Builds a {@link ModelFootprint} from a GGUF file with the runtime's reader: the weight bytes
 * are the real sizes of its tensors, the shape (what sizes the KV cache) comes from its
 * metadata. Only the header is read.
 */
public final class GgufFootprint {
    private GgufFootprint() {}

    /**
     * Reads {@code file}'s header.
     *
     * @throws IllegalArgumentException naming the file when it is missing, not GGUF, truncated, or lacks a shape key
     */
    public static ModelFootprint read(Path file) {
        try {
            GgufFile g = GgufReader.read(file);
            return new ModelFootprint(g.name().orElse(file.getFileName().toString()), g.tensorBytes(), g.blockCount(),
                    g.embeddingLength(), g.headCountKv(), g.headDim(), (int) Math.min(Integer.MAX_VALUE, g.contextLength()));
        } catch (GgufException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
