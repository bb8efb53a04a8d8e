package io.infernet.bench.llamabench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaBenchParserTest {

    /** Recorded: the pin's llama-bench (cpu-native build) -p 64 -n 16 -t 2 -r 2 -o json on the demo model. */
    private static String fixture() throws IOException {
        try (InputStream in = LlamaBenchParserTest.class.getResourceAsStream("/llamabench/pp64-tg16-demo.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsBothTestsOfARecordedRun() throws IOException {
        List<LlamaBenchResult> r = LlamaBenchParser.parse(fixture());
        assertEquals(2, r.size());

        LlamaBenchResult pp = r.get(0);
        assertTrue(pp.isPrompt());
        assertFalse(pp.isGeneration());
        assertEquals("pp64", pp.testName());
        assertEquals("de3ff81", pp.buildCommit());
        assertEquals(1, pp.buildNumber());
        assertEquals("AMD EPYC", pp.cpuInfo());
        assertEquals("", pp.gpuInfo());
        assertEquals("CPU", pp.backends());
        assertEquals("/root/.cache/infernet/models/demo-db9f6fde069e.gguf", pp.modelFilename());
        assertEquals("llama ?B Q8_0", pp.modelType());
        assertEquals(62146560L, pp.modelSize());
        assertEquals(58466816L, pp.modelParams());
        assertEquals(2048, pp.nBatch());
        assertEquals(512, pp.nUbatch());
        assertEquals(2, pp.nThreads());
        assertEquals(0, pp.nGpuLayers());
        assertEquals(-1, pp.flashAttn());
        assertEquals(64, pp.nPrompt());
        assertEquals(0, pp.nGen());
        assertEquals(0, pp.nDepth());
        assertEquals("2026-11-23T13:49:36Z", pp.testTime());
        assertEquals(16308533L, pp.avgNs());
        assertEquals(132023L, pp.stddevNs());
        assertEquals(3924.454591, pp.avgTs());
        assertEquals(31.769984, pp.stddevTs());
        assertEquals(List.of(16401888L, 16215178L), pp.samplesNs());
        assertEquals(List.of(3901.99, 3946.92), pp.samplesTs());

        LlamaBenchResult tg = r.get(1);
        assertTrue(tg.isGeneration());
        assertEquals("tg16", tg.testName());
        assertEquals(16, tg.nGen());
        assertEquals(615.707897, tg.avgTs());
        assertEquals(List.of(616.685, 614.731), tg.samplesTs());
        // llama-bench's tokens/s is tokens over each sample's time
        assertEquals(16 * 1e9 / tg.samplesNs().getFirst(), tg.samplesTs().getFirst(), 0.01);
    }

    @Test
    void refusesWhatIsNotLlamaBenchJsonNamingTheProblem() {
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> LlamaBenchParser.parse("| model | size |"));
        assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
        IllegalArgumentException notArray = assertThrows(IllegalArgumentException.class, () -> LlamaBenchParser.parse("{\"a\": 1}"));
        assertTrue(notArray.getMessage().contains("array"), notArray.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> LlamaBenchParser.parse("[{\"build_commit\": \"x\"}]"));
        assertTrue(missing.getMessage().contains("no field 'build_number'"), missing.getMessage());
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() throws IOException {
        String bad = fixture().replaceFirst("\"avg_ns\": 16308533", "\"avg_ns\": \"fast\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaBenchParser.parse(bad));
        assertTrue(e.getMessage().contains("'avg_ns' should be an integer"), e.getMessage());
    }

    @Test
    void theCommandLineIsAValue() {
        LlamaBenchCommand cpu = new LlamaBenchCommand(Path.of("/b/llama-bench"), Path.of("/m/1b.gguf"), 512, 128, 2, 5, 0);
        assertEquals(List.of("/b/llama-bench", "-m", "/m/1b.gguf", "-p", "512", "-n", "128", "-t", "2", "-r", "5", "-o", "json", "-ngl", "0"),
                cpu.argv());
        LlamaBenchCommand dflt = new LlamaBenchCommand(Path.of("/b/llama-bench"), Path.of("/m/my model.gguf"), 512, 128, 16, 3, -1);
        assertEquals(List.of("/b/llama-bench", "-m", "/m/my model.gguf", "-p", "512", "-n", "128", "-t", "16", "-r", "3", "-o", "json"),
                dflt.argv());
        assertEquals("/b/llama-bench -m '/m/my model.gguf' -p 512 -n 128 -t 16 -r 3 -o json", dflt.display());
        assertThrows(IllegalArgumentException.class, () -> new LlamaBenchCommand(Path.of("b"), Path.of("m"), 0, 0, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LlamaBenchCommand(Path.of("b"), Path.of("m"), 512, 128, 0, 1, 0));
    }
}
