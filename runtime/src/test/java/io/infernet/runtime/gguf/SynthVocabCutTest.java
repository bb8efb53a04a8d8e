package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code name@N} vocabularies: the first N tokens, consistent, and valid for llama.cpp. */
class SynthVocabCutTest {
    @TempDir
    Path dir;

    @Test
    void sentencePieceCutKeepsItsByteTokensAndArrays() {
        SynthVocab v = SynthVocab.load("llama-spm@300");
        assertEquals(300, v.size());
        assertEquals(300, ((GgufValue.Array) v.tokenizer().get(GgufKeys.SCORES)).size());
        assertEquals(300, ((GgufValue.Array) v.tokenizer().get(GgufKeys.TOKEN_TYPE)).size());
        List<String> tokens = ((GgufValue.StrArray) v.tokenizer().get(GgufKeys.TOKENS)).values();
        assertTrue(tokens.contains("<0x00>") && tokens.contains("<0xFF>"));
    }

    @Test
    void bpeCutKeepsOnlyMergesOfKeptTokensAndDropsSpecialIdsBeyondIt() {
        SynthVocab v = SynthVocab.load("gpt-2@1024");
        Set<String> kept = new HashSet<>(((GgufValue.StrArray) v.tokenizer().get(GgufKeys.TOKENS)).values());
        List<String> merges = ((GgufValue.StrArray) v.tokenizer().get(GgufKeys.MERGES)).values();
        assertFalse(merges.isEmpty());
        for (String m : merges) {
            String[] p = m.split(" ", 2);
            assertTrue(kept.contains(p[0]) && kept.contains(p[1]) && kept.contains(p[0] + p[1]), m);
        }
        assertFalse(v.tokenizer().containsKey("tokenizer.ggml.eos_token_id"), "id 50256 is cut away");
    }

    @Test
    void modelsWithCutVocabulariesPassTheValidator() {
        for (String vocab : List.of("llama-spm@512", "gpt-2@1024", "qwen2@2000")) {
            SynthSpec spec = new SynthSpec("cut", 64, 2, 4, 2, 128, 256, 10000f, 1e-5f, GgmlType.Q8_0, 1, vocab);
            GgufFile f = ModelSynth.write(spec, dir.resolve("cut.gguf"), GgufWriter.WriteProgress.NONE);
            assertEquals(List.of(), ModelValidator.problems(GgufReader.read(f.path()), false), vocab);
        }
    }
}
