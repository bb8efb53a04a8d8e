package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.kernels.SamplingParams;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs a user can get wrong give a clear error and leave the JVM (and a loaded model) alive:
 * nothing here may crash the process.
 */
@Tag("native")
class BadInputTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void loadLlamaCpp() {
        LlamaRuntime.load();
    }

    private static String loadError(Path p) {
        return assertThrows(LlamaException.class, () -> Model.load(p)).getMessage();
    }

    @Test
    void missingFile() {
        assertTrue(loadError(dir.resolve("nope.gguf")).contains("model file not found"));
    }

    @Test
    void emptyFile() throws IOException {
        Path p = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertTrue(loadError(p).contains("empty"), loadError(p));
    }

    @Test
    void randomBytes() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path p = Files.write(dir.resolve("random.gguf"), junk);
        assertTrue(loadError(p).contains("not a valid GGUF model"), loadError(p));
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = Files.readAllBytes(TestModels.tiny());
        b[0] = 'X';
        Path p = Files.write(dir.resolve("magic.gguf"), b);
        assertTrue(loadError(p).toLowerCase().contains("magic"), loadError(p));
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] b = Files.readAllBytes(TestModels.tiny());
        for (int cut : new int[] {3, 20, 1000, b.length / 2, b.length - 1}) {
            Path p = Files.write(dir.resolve("cut" + cut + ".gguf"), java.util.Arrays.copyOf(b, cut));
            String msg = loadError(p);
            assertTrue(msg.contains("truncated") || msg.contains("past the end") || msg.contains("file has"), cut + ": " + msg);
        }
    }

    @Test
    void absurdCounts() throws IOException {
        byte[] b = Files.readAllBytes(TestModels.tiny());
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 60); // tensor count
        Path p = Files.write(dir.resolve("counts.gguf"), b);
        String msg = loadError(p);
        assertTrue(msg.contains("tensor") && msg.contains("count"), msg);
    }

    @Test
    void promptLongerThanTheContextAndBadTokenIds() {
        try (Model m = Model.load(TestModels.tiny());
             Context c = m.newContext(ContextParams.defaults().withKvCells(32).withBatch(32, 32).withThreads(1, 1));
             Generator g = new Generator(c);
             NativeSampler s = new NativeSampler(SamplingParams.greedy(), m.vocab().size())) {
            int room = c.kvCellsPerSequence(); // llama.cpp pads the 32 asked for
            int[] longPrompt = new int[room];
            java.util.Arrays.fill(longPrompt, 100);
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> g.generate(longPrompt, s, 4, false, (t, b, n) -> true));
            assertEquals(room, e.promptTokens());
            assertEquals(room, e.maxSequenceTokens());
            assertTrue(e.getMessage().contains("shorten the prompt"), e.getMessage());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> g.generate(new int[] {1, 32000}, s, 4, false, (t, b, n) -> true));
            assertTrue(bad.getMessage().contains("out of range"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.generate(new int[] {-5}, s, 4, false, (t, b, n) -> true));
            assertThrows(IllegalArgumentException.class, () -> m.vocab().detokenize(new int[] {99999}, false, false));
            assertThrows(IllegalArgumentException.class, () -> g.generate(new int[0], s, 4, false, (t, b, n) -> true));
            // The model is still usable after all of that.
            Generator.Result ok = g.generate(new int[] {1, 100, 200}, s, 3, false, (t, b, n) -> true);
            assertTrue(ok.tokens().length == 3 || ok.reason() == Generator.StopReason.END_OF_GENERATION, ok.toString());
        }
    }
}
