package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The reader parses every vocabulary GGUF of the pin (files written by gguf-py, versions 2 and 3). */
@Tag("native")
class VocabFilesTest {
    static List<Path> vocabFiles() throws Exception {
        try (Stream<Path> files = Files.list(NativeBundle.models(Progress.NONE))) {
            return files.filter(p -> p.getFileName().toString().matches("ggml-vocab-.*\\.gguf")).sorted().toList();
        }
    }

    @Test
    void everyVocabularyOfThePinReads() throws Exception {
        List<Path> files = vocabFiles();
        assertTrue(files.size() >= 15, "the pin ships about 19 vocabularies, found " + files);
        for (Path file : files) {
            GgufFile f = GgufReader.read(file);
            String name = file.getFileName().toString();
            assertEquals(Files.size(file), f.fileSize(), name);
            assertTrue(f.tensors().isEmpty(), name + " is vocabulary only");
            assertTrue(f.llamaCppIssues().isEmpty(), name);
            var tokens = (GgufValue.StrArray) f.getArray(GgufKeys.TOKENS);
            assertTrue(tokens.size() > 1000, name);
            assertEquals(tokens.size(), f.getArray("tokenizer.ggml.token_type").size(), name);
            assertEquals(tokens.size(), f.vocabSize(), name + ": <arch>.vocab_size, where present, agrees with the token list");
            assertTrue(!f.architecture().isEmpty(), name);
            f.getString(GgufKeys.TOKENIZER_MODEL);
        }
    }

    @Test
    void llamaSpmHasTheLlama2Vocabulary() throws Exception {
        GgufFile f = GgufReader.read(NativeBundle.models(Progress.NONE).resolve("ggml-vocab-llama-spm.gguf"));
        var tokens = (GgufValue.StrArray) f.getArray(GgufKeys.TOKENS);
        assertEquals(32000, tokens.size());
        assertEquals("<unk>", tokens.values().get(0));
        assertEquals("<s>", tokens.values().get(1));
        assertEquals("</s>", tokens.values().get(2));
        assertEquals("llama", f.getString(GgufKeys.TOKENIZER_MODEL));
        assertEquals(1, f.getLong("tokenizer.ggml.bos_token_id"));
        assertEquals(32000, ((GgufValue.NumArray) f.getArray("tokenizer.ggml.scores")).size());
    }
}
