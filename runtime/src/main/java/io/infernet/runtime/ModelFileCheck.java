package io.infernet.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What is checked in Java before llama.cpp opens a model file: it exists, is a regular
 * readable file, and is a structurally valid GGUF (header, metadata, tensor table, data
 * ranges inside the file).
 */
final class ModelFileCheck {
    private ModelFileCheck() {}

    static void check(Path path) {
        if (!Files.exists(path)) {
            throw new LlamaException("model file not found: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw new LlamaException("model path is not a file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new LlamaException("model file is not readable: " + path);
        }
        try {
            if (Files.size(path) == 0) {
                throw new LlamaException(path + ": the file is empty, not a GGUF model");
            }
        } catch (IOException e) {
            throw new LlamaException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
