package io.infernet.runtime;

import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What is checked in Java before llama.cpp opens a model file: it exists, is a regular
 * readable file, and is a structurally valid GGUF (header, metadata, tensor table, data
 * ranges inside the file) of a form the pinned llama.cpp accepts. llama.cpp itself trusts
 * much of this, so a malformed file would otherwise crash or mislead it.
 */
final class ModelFileCheck {
    private ModelFileCheck() {}

    static GgufFile check(Path path) {
        if (!Files.exists(path)) {
            throw new LlamaException("model file not found: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw new LlamaException("model path is not a file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new LlamaException("model file is not readable: " + path);
        }
        GgufFile gguf;
        try {
            gguf = GgufReader.read(path);
        } catch (GgufException e) {
            throw new LlamaException("not a valid GGUF model: " + e.getMessage(), e);
        }
        List<String> issues = gguf.llamaCppIssues();
        if (!issues.isEmpty()) {
            throw new LlamaException(path + " is a GGUF file llama.cpp cannot load: " + String.join("; ", issues));
        }
        return gguf;
    }
}
