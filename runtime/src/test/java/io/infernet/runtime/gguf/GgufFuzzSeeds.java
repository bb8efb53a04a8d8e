package io.infernet.runtime.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Writes the seed corpus of {@link GgufFuzzTest}: small generated models (llama with a cut
 * SentencePiece and a cut BPE vocabulary, the same as qwen3 with its Q/K norms), a vocabulary
 * without tensors, and files with every metadata type, about 120 KB in all. After a format change,
 * run this main from the test class path with {@code runtime/src/test/resources/io/infernet/runtime/gguf/GgufFuzzTestInputs}
 * as its argument. Findings of past fuzzing runs live in the {@code readerAndValidatorRefuseCleanly}
 * folder below it.
 */
public final class GgufFuzzSeeds {
    private GgufFuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[0]));
        SynthSpec spm = new SynthSpec("seed-spm", 32, 1, 2, 1, 32, 64, 10000f, 1e-5f, GgmlType.Q8_0, 1, "llama-spm@300");
        ModelSynth.write(spm, out.resolve("llama-spm.gguf"), GgufWriter.WriteProgress.NONE);
        ModelSynth.write(spm.withVocab("gpt-2@300"), out.resolve("llama-bpe.gguf"), GgufWriter.WriteProgress.NONE);
        GgufFile base = GgufReader.read(out.resolve("llama-spm.gguf"));
        byte[] bytes = Files.readAllBytes(base.path());
        SequencedMap<String, GgufValue> qwen3 = new LinkedHashMap<>();
        base.metadata().forEach((k, v) -> qwen3.put(k.startsWith("llama.") ? "qwen3." + k.substring(6) : k, v));
        qwen3.put(GgufKeys.ARCHITECTURE, GgufValue.string("qwen3"));
        List<GgufWriter.Tensor> tensors = new java.util.ArrayList<>(base.tensors().stream().map(t -> new GgufWriter.Tensor(t.name(), t.dims(),
                t.type(), sink -> sink.write(java.nio.ByteBuffer.wrap(bytes, (int) (base.dataOffset() + t.offset()), (int) t.byteSize())))).toList());
        for (String norm : List.of("blk.0.attn_q_norm.weight", "blk.0.attn_k_norm.weight")) {
            tensors.add(new GgufWriter.Tensor(norm, List.of(16L), GgmlType.F32, SynthWeights.constantF32(16, 1f)));
        }
        GgufWriter.write(out.resolve("qwen3.gguf"), qwen3, tensors, GgufWriter.WriteProgress.NONE);
        SequencedMap<String, GgufValue> vocab = new LinkedHashMap<>();
        vocab.put(GgufKeys.ARCHITECTURE, GgufValue.string("llama"));
        vocab.putAll(SynthVocab.load("llama-spm@300").tokenizer());
        GgufWriter.write(out.resolve("vocab-only.gguf"), vocab, List.of(), GgufWriter.WriteProgress.NONE);
        GgufFixtures.writeSmall(out.resolve("all-types.gguf"));
        GgufWriter.write(out.resolve("nested-arrays.gguf"), GgufFixtures.allTypes(), List.of(), GgufWriter.WriteProgress.NONE);
    }
}
