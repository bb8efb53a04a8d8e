package io.infernet.node.protocol.models;

import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import java.nio.file.Path;
import java.util.List;

/**
 * The runtime's full GGUF validation: header, every key/value, every tensor descriptor, data
 * ranges inside the file, and the forms the pinned llama.cpp refuses.
 */
public final class GgufFullCheck implements GgufValidator {
    @Override
    public void validate(Path file) throws InvalidModelException {
        GgufFile gguf;
        try {
            gguf = GgufReader.read(file);
        } catch (GgufException e) {
            throw new InvalidModelException(e.getMessage());
        }
        List<String> issues = gguf.llamaCppIssues();
        if (!issues.isEmpty()) {
            throw new InvalidModelException(file.getFileName() + ": a GGUF file llama.cpp cannot load: " + String.join("; ", issues));
        }
        if (gguf.tensors().isEmpty()) {
            throw new InvalidModelException(file.getFileName() + ": a GGUF file without tensors (a vocabulary only), not a model");
        }
    }
}
