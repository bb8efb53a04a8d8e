package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("native")
class ModelSynthTest {
    @TempDir
    Path dir;

    @Test
    void sameSpecAndSeedGiveTheSameBytes() throws Exception {
        SynthSpec spec = SynthPreset.TINY.spec().withWeightType(GgmlType.Q4_0);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        ModelSynth.write(spec, a, GgufWriter.WriteProgress.NONE);
        ModelSynth.write(spec, b, GgufWriter.WriteProgress.NONE);
        ModelSynth.write(spec.withSeed(43), c, GgufWriter.WriteProgress.NONE);
        assertEquals(-1, Files.mismatch(a, b), "byte-identical");
        assertEquals(Files.size(a), Files.size(c));
        assertNotEquals(-1, Files.mismatch(a, c), "another seed, other weights");
    }

    @Test
    void tinyIsWhatThePlanSaysAndWhatLlamaExpects() {
        Path file = dir.resolve("tiny.gguf");
        GgufFile plan = ModelSynth.plan(SynthPreset.TINY.spec(), file);
        GgufFile written = ModelSynth.write(SynthPreset.TINY.spec(), file, GgufWriter.WriteProgress.NONE);
        GgufFile read = GgufReader.read(file);
        assertEquals(plan, written);
        assertEquals(plan, read);
        assertTrue(read.llamaCppIssues().isEmpty());

        assertEquals("llama", read.architecture());
        assertEquals("infernet-synth tiny (random weights)", read.name().orElseThrow());
        assertEquals(32000, read.vocabSize());
        assertEquals(32000, read.getArray(GgufKeys.TOKENS).size());
        assertEquals(SynthVocab.LLAMA2_TEMPLATE, read.chatTemplate().orElseThrow(), "llama-spm has no template of its own");
        assertEquals(16, read.getInt("llama.rope.dimension_count"));
        assertEquals(0, read.getInt(GgufKeys.FILE_TYPE), "LLAMA_FTYPE_ALL_F32");
        assertEquals(42L, read.getLong("infernet.synth.seed"));

        GgufFile vocab = GgufReader.read(NativeBundle.models(Progress.NONE).resolve("ggml-vocab-llama-spm.gguf"));
        vocab.metadata().forEach((k, v) -> {
            if (k.startsWith("tokenizer.")) {
                assertEquals(v, read.metadata().get(k), k + " is copied unchanged");
            }
        });
        // about 17 MB, as the preset promises
        assertTrue(read.fileSize() > 16_000_000 && read.fileSize() < 18_000_000, "" + read.fileSize());
    }

    @Test
    void presetTensorListsFollowLlamaCpp() {
        for (SynthPreset p : SynthPreset.values()) {
            SynthSpec s = p.spec();
            List<GgufTensor> tensors = ModelSynth.plan(s, dir.resolve(p.id() + ".gguf")).tensors();
            List<String> names = new ArrayList<>(List.of("token_embd.weight"));
            for (int i = 0; i < s.layers(); i++) {
                for (String t : List.of("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down")) {
                    names.add("blk." + i + "." + t + ".weight");
                }
            }
            names.add("output_norm.weight");
            names.add("output.weight");
            assertEquals(names, tensors.stream().map(GgufTensor::name).toList(), p.id());

            long d = s.embeddingLength();
            long kv = (long) s.headsKv() * s.headDim();
            long ff = s.feedForwardLength();
            GgufFile plan = ModelSynth.plan(s, dir.resolve("x.gguf"));
            assertEquals(List.of(d, 32000L), plan.tensor("token_embd.weight").orElseThrow().dims());
            assertEquals(List.of(d, kv), plan.tensor("blk.0.attn_k.weight").orElseThrow().dims());
            assertEquals(List.of(d, d), plan.tensor("blk.0.attn_output.weight").orElseThrow().dims());
            assertEquals(List.of(ff, d), plan.tensor("blk.0.ffn_down.weight").orElseThrow().dims());
            assertEquals(List.of(d), plan.tensor("blk.0.ffn_norm.weight").orElseThrow().dims());
            assertEquals(GgmlType.F32, plan.tensor("output_norm.weight").orElseThrow().type());
            assertEquals(s.weightType(), plan.tensor("output.weight").orElseThrow().type());

            long perLayer = 2 * d + 2 * d * d + 2 * d * kv + 3 * d * ff;
            long params = 2 * 32000 * d + d + s.layers() * perLayer;
            ModelShape shape = plan.shape();
            assertEquals(params, shape.parameterCount(), p.id());
            assertEquals(s.layers(), shape.layers());
            assertEquals(s.headsKv(), shape.headsKv());
            assertEquals(s.headDim(), shape.headDim());
            assertEquals(s.contextLength(), shape.contextLength());
        }
    }

    @Test
    void largePresetsHaveThePublishedParameterCounts() {
        // Llama-2 uses the same 32000-token vocabulary and an untied output, so these match exactly.
        assertEquals(6_738_415_616L, plan(SynthPreset.L7B).parameterCount());
        assertEquals(13_015_864_320L, plan(SynthPreset.L13B).parameterCount());
        assertEquals(68_976_648_192L, plan(SynthPreset.L70B).parameterCount());
        // Q4_0 7B: 4.5 bits per matrix weight, about 3.8 GB
        GgufFile q7 = plan(SynthPreset.L7B);
        assertTrue(q7.fileSize() > 3_790_000_000L && q7.fileSize() < 3_800_000_000L, "" + q7.fileSize());
        assertEquals(2L * 32 * 32 * 128 * 2, q7.shape().kvCacheBytesPerToken(2), "F16 KV cache of Llama-2-7B: 512 KiB per token");
        assertEquals(2L * 80 * 8 * 128 * 2, plan(SynthPreset.L70B).shape().kvCacheBytesPerToken(2), "GQA: 8 KV heads");
    }

    private GgufFile plan(SynthPreset p) {
        return ModelSynth.plan(p.spec(), dir.resolve(p.id() + ".gguf"));
    }

    @Test
    void randomWeightsHaveTheIntendedScale() {
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0)) {
            Path file = dir.resolve(type.ggmlName() + ".gguf");
            SynthSpec spec = SynthPreset.TINY.spec().withWeightType(type);
            GgufFile f = ModelSynth.write(spec, file, GgufWriter.WriteProgress.NONE);
            try (Arena arena = Arena.ofConfined()) {
                assertStd(f, arena, "token_embd.weight", 1.0);
                assertStd(f, arena, "blk.0.attn_q.weight", 1 / Math.sqrt(64));
                assertStd(f, arena, "blk.1.attn_output.weight", 1 / Math.sqrt(64) / Math.sqrt(2 * 2));
                assertStd(f, arena, "blk.1.ffn_down.weight", 1 / Math.sqrt(128) / Math.sqrt(2 * 2));
                float[] norm = values(f, arena, "blk.0.ffn_norm.weight");
                for (float v : norm) {
                    assertEquals(1.0f, v);
                }
            }
        }
    }

    private static void assertStd(GgufFile f, Arena arena, String tensor, double expected) {
        float[] v = values(f, arena, tensor);
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            assertTrue(Float.isFinite(x));
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        double std = Math.sqrt(sq / v.length - mean * mean);
        String what = f.path().getFileName() + " " + tensor;
        assertEquals(expected, std, expected * 0.1, what + " std");
        assertEquals(0, mean, expected * 0.1, what + " mean");
    }

    /** Decodes a tensor of any type the synth writes. */
    private static float[] values(GgufFile f, Arena arena, String name) {
        GgufTensor t = f.tensor(name).orElseThrow();
        MemorySegment seg = f.mapTensor(t, arena);
        int n = (int) t.elementCount();
        float[] out = new float[n];
        var buf = seg.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (t.type()) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(buf.getShort(2 * i));
                }
            }
            case Q8_0 -> Quantize.dequantizeQ8_0(buf, out, 0, n);
            case Q4_0 -> Quantize.dequantizeQ4_0(buf, out, 0, n);
            default -> throw new AssertionError(t.type());
        }
        return out;
    }

    @Test
    void otherVocabulariesAndTemplates() {
        SynthVocab qwen = SynthVocab.load("qwen2");
        assertEquals("from the vocabulary", qwen.template());
        assertEquals(151936, qwen.size());
        SynthVocab bpe = SynthVocab.load("llama-bpe");
        assertEquals("llama-2", bpe.template());
        Path custom = dir.resolve("with-chatml.gguf");
        var meta = new java.util.LinkedHashMap<String, GgufValue>();
        meta.put(GgufKeys.TOKENS, GgufValue.strings(List.of("<|im_start|>", "<|im_end|>", "a")));
        GgufWriter.write(custom, meta, List.of(), GgufWriter.WriteProgress.NONE);
        SynthVocab chatml = SynthVocab.load(custom.toString());
        assertEquals("chatml", chatml.template());
        assertEquals(new GgufValue.Str(SynthVocab.CHATML_TEMPLATE), chatml.tokenizer().get(GgufKeys.CHAT_TEMPLATE));

        GgufException unknown = assertThrows(GgufException.class, () -> SynthVocab.load("klingon"));
        assertTrue(unknown.getMessage().contains("no vocabulary named 'klingon'") && unknown.getMessage().contains("llama-spm"), unknown.getMessage());
        Path noTokens = dir.resolve("no-tokens.gguf");
        GgufWriter.write(noTokens, new java.util.LinkedHashMap<>(), List.of(), GgufWriter.WriteProgress.NONE);
        assertTrue(assertThrows(GgufException.class, () -> SynthVocab.load(noTokens.toString())).getMessage().contains("has no tokenizer"));
    }

    @Test
    void specsAreValidated() {
        SynthSpec t = SynthPreset.TINY.spec();
        assertThrows(IllegalArgumentException.class, () -> new SynthSpec("x", 64, 2, 5, 5, 128, 2048, 1e4f, 1e-5f, GgmlType.F32, 1, "llama-spm"));
        assertThrows(IllegalArgumentException.class, () -> new SynthSpec("x", 64, 2, 4, 3, 128, 2048, 1e4f, 1e-5f, GgmlType.F32, 1, "llama-spm"));
        assertThrows(IllegalArgumentException.class, () -> new SynthSpec("x", 48, 2, 4, 4, 128, 2048, 1e4f, 1e-5f, GgmlType.Q8_0, 1, "llama-spm"));
        assertThrows(IllegalArgumentException.class, () -> t.withWeightType(GgmlType.Q4_K));
        assertThrows(IllegalArgumentException.class, () -> new SynthSpec("x", 64, 0, 4, 4, 128, 2048, 1e4f, 1e-5f, GgmlType.F32, 1, "llama-spm"));
        assertThrows(IllegalArgumentException.class, () -> new SynthSpec("x", 60, 2, 4, 4, 128, 2048, 1e4f, 1e-5f, GgmlType.F32, 1, "llama-spm"),
                "head size 15 is odd");
    }
}
