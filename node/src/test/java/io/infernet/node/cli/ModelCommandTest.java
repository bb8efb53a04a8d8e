package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.GgufValue;
import io.infernet.runtime.gguf.GgufWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.execute(Main.commandLine(), args);
    }

    @Test
    void synthThenInspect() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        CliRun synth = run("model", "synth", "--preset", "tiny", "--type", "q8_0", "--seed", "5", "--out", file.toString());
        assertEquals(0, synth.code(), synth.err());
        assertTrue(synth.out().contains("n_layer 2, n_embd 64"), synth.out());
        assertTrue(synth.out().contains("The weights are random (seed 5)"), synth.out());
        assertTrue(synth.err().contains("[model] 100%"), synth.err());
        GgufFile f = GgufReader.read(file);
        assertEquals(5L, f.getLong("infernet.synth.seed"));

        CliRun again = run("model", "synth", "--preset", "tiny", "--out", file.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("exists; pass --force"), again.err());
        assertEquals(0, run("model", "synth", "--preset", "tiny", "--out", file.toString(), "--force").code());

        CliRun inspect = run("model", "inspect", file.toString(), "--tensors");
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("n_layer 2, n_embd 64, n_head 4"), inspect.out());
        assertTrue(inspect.out().contains("blk.1.ffn_down.weight"), inspect.out());
        assertTrue(inspect.out().contains("structure OK"), inspect.out());

        CliRun json = run("model", "inspect", file.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertEquals(2, j.path("shape").path("layers").asInt());
        assertEquals(32000, j.path("shape").path("vocabSize").asInt());
        assertEquals("infernet-synth tiny (random weights)", j.path("metadata").path("general.name").asText());
        assertEquals(32000, j.path("metadata").path("tokenizer.ggml.tokens").path("length").asInt());
        assertEquals(3 + 9 * 2, j.path("tensors").size());
    }

    @Test
    void brokenFilesExitWithOneAndSayWhy() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        assertEquals(0, run("model", "synth", "--preset", "tiny", "--out", file.toString()).code());
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1000));
        CliRun r = run("model", "inspect", cut.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + cut + ": truncated: tensor 'output.weight' needs bytes"), r.err());
        CliRun missing = run("model", "inspect", dir.resolve("nope.gguf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }

    @Test
    void semanticallyBrokenFilesAreRefusedByInspectAndCheck() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        assertEquals(0, run("model", "synth", "--preset", "tiny", "--out", file.toString()).code());
        GgufFile f = GgufReader.read(file);
        java.util.SequencedMap<String, GgufValue> meta = new java.util.LinkedHashMap<>(f.metadata());
        meta.put("llama.block_count", GgufValue.u32(600));
        byte[] bytes = Files.readAllBytes(file);
        java.util.List<GgufWriter.Tensor> tensors = f.tensors().stream().map(t -> new GgufWriter.Tensor(t.name(), t.dims(), t.type(),
                sink -> sink.write(java.nio.ByteBuffer.wrap(bytes, (int) (f.dataOffset() + t.offset()), (int) t.byteSize())))).toList();
        Path bad = GgufWriter.write(dir.resolve("600.gguf"), meta, tensors, GgufWriter.WriteProgress.NONE).path();

        CliRun inspect = run("model", "inspect", bad.toString());
        assertEquals(1, inspect.code());
        assertTrue(inspect.out().contains("will refuse or crash on this file: llama.block_count is 600 but llama.cpp supports at most 512 layers"),
                inspect.out());
        assertTrue(inspect.err().startsWith("error: " + bad + ": llama.cpp would refuse or crash"), inspect.err());

        CliRun check = run("model", "check", "--no-cache", bad.toString());
        assertEquals(1, check.code());
        assertTrue(check.out().contains("REFUSED  refusing to load " + bad + ": llama.block_count is 600"), check.out());
    }

    @Test
    void checkLoadsAGoodModelInAChildProcess() {
        Path file = dir.resolve("tiny.gguf");
        assertEquals(0, run("model", "synth", "--preset", "tiny", "--out", file.toString()).code());
        CliRun check = run("model", "check", "--no-cache", file.toString());
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().startsWith("OK       " + file + " (llama"), check.out());
        assertTrue(check.out().contains("decoded"), check.out());
        assertTrue(check.err().contains("in a separate process"), check.err());
    }

    @Test
    void planAndUsageErrors() {
        CliRun plan = run("model", "synth", "--preset", "70b", "--plan");
        assertEquals(0, plan.code(), plan.err());
        assertTrue(plan.out().contains("68.98 B parameters, n_layer 80, n_embd 8192, n_head 64, n_head_kv 8"), plan.out());
        assertTrue(plan.out().contains("q4_0"), plan.out());

        CliRun unknown = run("model", "synth", "--preset", "huge", "--out", "x.gguf");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown preset 'huge'; choose one of tiny, demo, 1b"), unknown.err());
        CliRun odd = run("model", "synth", "--dim", "60", "--layers", "2", "--heads", "4", "--ff", "128", "--type", "f32", "--plan");
        assertEquals(2, odd.code());
        assertTrue(odd.err().contains("head size 15"), odd.err());
        CliRun incomplete = run("model", "synth", "--dim", "64", "--plan");
        assertEquals(2, incomplete.code());
        assertTrue(incomplete.err().contains("--preset NAME"), incomplete.err());
        CliRun noOut = run("model", "synth", "--preset", "tiny");
        assertEquals(2, noOut.code());
        CliRun custom = run("model", "synth", "--preset", "demo", "--layers", "2", "--type", "q4_0", "--plan");
        assertEquals(0, custom.code(), custom.err());
        assertTrue(custom.out().contains("demo-custom.gguf") && custom.out().contains("n_layer 2, n_embd 512"), custom.out());
    }
}
