package io.infernet.runtime;

import io.infernet.runtime.gguf.GgufException;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.ModelValidator;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What is checked in Java before llama.cpp opens a model file: it exists, is a regular
 * readable file, is a structurally valid GGUF (header, metadata, tensor table, data ranges
 * inside the file; {@link GgufReader}) and passes {@link ModelValidator} (hyperparameters,
 * tensors and tokenizer against what the pinned llama.cpp asserts). llama.cpp itself trusts
 * much of this, so a malformed file would otherwise crash or mislead it.
 */
final class ModelFileCheck {
    private ModelFileCheck() {}

    /**
     * @param vocabOnly only the tokenizer will be loaded: a vocabulary file without weights is fine
     * @throws LlamaException naming the file and what is wrong
     */
    static GgufFile check(Path path, boolean vocabOnly) {
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
        try {
            ModelValidator.validate(gguf, vocabOnly);
        } catch (GgufException e) {
            throw new LlamaException("refusing to load " + e.getMessage(), e);
        }
        return gguf;
    }
}
