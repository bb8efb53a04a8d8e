package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the validator says about files llama.cpp would crash on: the key or tensor, and what was expected. */
class ModelValidatorTest {
    @TempDir
    static Path dir;

    private static GgufFile base;
    private static byte[] bytes;
    private static int n;

    @BeforeAll
    static void writeBase() throws IOException {
        base = ModelSynth.write(GgufMutants.spmBase(), dir.resolve("base.gguf"), GgufWriter.WriteProgress.NONE);
        bytes = Files.readAllBytes(base.path());
    }

    private List<String> problems(Consumer<SequencedMap<String, GgufValue>> meta) {
        return problems(meta, UnaryOperator.identity());
    }

    private List<String> problems(Consumer<SequencedMap<String, GgufValue>> meta, UnaryOperator<List<GgufWriter.Tensor>> tensors) {
        Path f = GgufMutants.rewrite(base, bytes, dir.resolve("edit-" + n++ + ".gguf"), meta, tensors);
        return ModelValidator.problems(GgufReader.read(f), false);
    }

    @Test
    void theBaseAndThePinVocabulariesPass() {
        assertEquals(List.of(), ModelValidator.problems(base, false));
    }

    @Test
    void layerCounts() {
        assertEquals(List.of("llama.block_count is 600 but llama.cpp supports at most 512 layers"),
                problems(m -> m.put("llama.block_count", GgufValue.u32(600))));
        assertEquals(List.of("llama.block_count is 0; a model has at least 1 layer"), problems(m -> m.put("llama.block_count", GgufValue.u32(0))));
        assertTrue(problems(m -> m.put("llama.block_count", GgufValue.u32(1))).contains("tensor 'blk.1.attn_norm.weight' belongs to block 1 but llama.block_count is 1"));
    }

    @Test
    void headsPerLayer() {
        List<String> p = problems(m -> m.put("llama.attention.head_count_kv", GgufValue.NumArray.ofLongs(GgufType.UINT32, 2, 3)));
        assertEquals(List.of("llama.attention.head_count_kv is 3 for layer 1 but must divide its head_count 4"), p);
        List<String> wrongLength = problems(m -> m.put("llama.attention.head_count", GgufValue.NumArray.ofLongs(GgufType.UINT32, 4)));
        assertTrue(wrongLength.getFirst().startsWith("llama.attention.head_count has 1 values but the model has 2 layers"), wrongLength.toString());
        assertTrue(problems(m -> m.put("llama.attention.head_count", GgufValue.u32(3))).getFirst()
                .startsWith("llama.attention.head_count 3 does not divide llama.embedding_length 64"));
    }

    @Test
    void floatsAndRope() {
        assertEquals(List.of("llama.rope.freq_base is NaN; the RoPE frequency base must be finite and greater than 0"),
                problems(m -> m.put("llama.rope.freq_base", GgufValue.f32(Float.NaN))));
        assertEquals(List.of("llama.attention.layer_norm_rms_epsilon is -1.0; the RMS-norm epsilon must be finite and greater than 0"),
                problems(m -> m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(-1f))));
        assertEquals(List.of("llama.rope.scaling.type is 'bogus'; llama.cpp knows none, linear, yarn and longrope"),
                problems(m -> m.put("llama.rope.scaling.type", GgufValue.string("bogus"))));
    }

    @Test
    void experts() {
        assertEquals(List.of("llama.expert_count is 8 but llama.expert_used_count is 0 or missing; a mixture of experts uses at least 1"),
                problems(m -> m.put("llama.expert_count", GgufValue.u32(8))));
        assertEquals(List.of("llama.expert_used_count is 2 but llama.expert_count is 0 (experts used must not exceed experts)"),
                problems(m -> m.put("llama.expert_used_count", GgufValue.u32(2))));
    }

    @Test
    void tensorsTypesAndAlignment() {
        List<String> norm = problems(m -> { }, ts -> ts.stream().map(t -> !t.name().equals("output_norm.weight") ? t
                : new GgufWriter.Tensor(t.name(), List.of(64L), GgmlType.Q8_0, sink -> sink.write(java.nio.ByteBuffer.allocate(68)))).toList());
        assertEquals(List.of("tensor 'output_norm.weight' is q8_0 but norms, biases and other vectors must be f32 (ggml adds and multiplies them only as f32)"), norm);
        List<String> missing = problems(m -> { }, ts -> ts.stream().filter(t -> !t.name().equals("blk.1.ffn_down.weight")).toList());
        assertEquals(List.of("tensor 'blk.1.ffn_down.weight' is missing; a llama model needs it with shape [128, 64]"), missing);
        List<String> aligned = problems(m -> m.put(GgufKeys.ALIGNMENT, GgufValue.u32(8)));
        assertTrue(aligned.getFirst().contains("not a multiple of 32 (ggml maps tensor data 32-byte aligned; general.alignment is 8)"), aligned.toString());
    }

    @Test
    void tokenizers() {
        List<String> tokens = ((GgufValue.StrArray) base.metadata().get(GgufKeys.TOKENS)).values();
        List<String> dup = new java.util.ArrayList<>(tokens);
        dup.set(300, tokens.get(301));
        assertEquals(List.of("tokens 300 and 301 are both '" + tokens.get(301) + "'; every token's text must be unique"),
                problems(m -> m.put(GgufKeys.TOKENS, GgufValue.strings(dup))));
        List<String> noNewline = new java.util.ArrayList<>(tokens);
        noNewline.set(3 + 10, "newline");
        assertTrue(problems(m -> m.put(GgufKeys.TOKENS, GgufValue.strings(noNewline))).getFirst()
                .startsWith("the SentencePiece (tokenizer.ggml.model 'llama') vocabulary has no token for byte 0x0A (<0x0A>)"));
        assertEquals(List.of("tokenizer.ggml.merges is missing; a BPE vocabulary needs its merges"),
                problems(m -> m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.string("gpt2"))));
        assertEquals(List.of("tokenizer.ggml.eos_token_id is 512 but the vocabulary has only 512 tokens (ids 0..511)"),
                problems(m -> m.put("tokenizer.ggml.eos_token_id", GgufValue.u32(512))));
        assertEquals(List.of("tokenizer.ggml.model is 'none': the model has no usable vocabulary, so no text can be tokenized for it"),
                problems(m -> m.put(GgufKeys.TOKENIZER_MODEL, GgufValue.string("none"))));
    }

    @Test
    void otherFamiliesAreCheckedByTheirOwnLayout() {
        List<String> p = problems(m -> {
            SequencedMap<String, GgufValue> renamed = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> renamed.put(k.startsWith("llama.") ? "qwen3." + k.substring(6) : k, v));
            renamed.put(GgufKeys.ARCHITECTURE, GgufValue.string("qwen3"));
            m.clear();
            m.putAll(renamed);
        });
        assertTrue(p.getFirst().equals("tensor 'blk.0.attn_q_norm.weight' is missing; a qwen3 model needs it with shape [16]"), p.toString());
        assertEquals(List.of("general.architecture is 'bogus', which the pinned llama.cpp does not know"),
                problems(m -> m.put(GgufKeys.ARCHITECTURE, GgufValue.string("bogus"))));
    }

    @Test
    void validateNamesTheFileAndListsAtMostSix() {
        Path f = GgufMutants.rewrite(base, bytes, dir.resolve("many.gguf"), m -> {
            m.put("llama.rope.freq_base", GgufValue.f32(0f));
            m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(0f));
            m.put("llama.rope.scaling.type", GgufValue.string("x"));
            m.put("llama.rope.scaling.factor", GgufValue.f32(-1f));
            m.put("llama.context_length", GgufValue.u32(0));
            m.put("llama.expert_count", GgufValue.u32(2000));
            m.put("llama.attention.value_length", GgufValue.u32(0));
        }, UnaryOperator.identity());
        GgufException e = assertThrows(GgufException.class, () -> ModelValidator.validate(GgufReader.read(f), false));
        assertTrue(e.getMessage().startsWith(f + ": llama.context_length is 0"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; and 1 more"), e.getMessage());
    }

    @Test
    void vocabularyFilesOfThePinPass() throws Exception {
        for (Path vocab : VocabFilesTest.vocabFiles()) {
            assertEquals(List.of(), ModelValidator.problems(GgufReader.read(vocab), true), vocab.toString());
        }
    }

    @Test
    void theArchitectureListIsThePins() throws IOException {
        Path arch = io.infernet.natives.NativeBundle.source(io.infernet.natives.Progress.NONE).resolve("src/llama-arch.cpp");
        String src = Files.readString(arch);
        String table = src.substring(src.indexOf("LLM_ARCH_NAMES = {"), src.indexOf("};", src.indexOf("LLM_ARCH_NAMES = {")));
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]+)\"").matcher(table);
        while (m.find()) {
            names.add(m.group(1));
        }
        names.remove("(unknown)");
        assertEquals(names, Architectures.KNOWN);
    }
}
