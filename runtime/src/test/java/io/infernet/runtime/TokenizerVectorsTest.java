package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.NativeBundle;
import io.infernet.natives.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every vocabulary of the pin that ships tokenizer test vectors ({@code .inp}/{@code .out},
 * the files llama.cpp's own test-tokenizer-0 reads) tokenizes every case exactly, through FFM.
 */
@Tag("native")
class TokenizerVectorsTest {

    private static final String SEP = "\n__ggml_vocab_test__\n";

    @TestFactory
    Stream<DynamicTest> everyVocabularyWithVectorsTokenizesExactly() throws IOException {
        Path models = NativeBundle.models(Progress.NONE);
        List<Path> vocabs;
        try (Stream<Path> files = Files.list(models)) {
            vocabs = files.filter(p -> p.getFileName().toString().endsWith(".gguf"))
                    .filter(p -> Files.exists(Path.of(p + ".inp")) && Files.exists(Path.of(p + ".out")))
                    .sorted().toList();
        }
        assertTrue(vocabs.size() >= 10, "expected the pin's vocabularies with test vectors, found " + vocabs);
        return vocabs.stream().map(v -> DynamicTest.dynamicTest(v.getFileName().toString(), () -> checkVocab(v)));
    }

    private static void checkVocab(Path vocabFile) throws IOException {
        List<String> inputs = splitInputs(Files.readString(Path.of(vocabFile + ".inp"), StandardCharsets.UTF_8));
        List<String> outputs = Files.readAllLines(Path.of(vocabFile + ".out"), StandardCharsets.UTF_8);
        assertEquals(inputs.size(), outputs.size(), "cases in .inp and .out of " + vocabFile.getFileName());
        try (Model model = Model.load(vocabFile, ModelParams.vocabularyOnly())) {
            Vocab vocab = model.vocab();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                int[] expected = parseIds(outputs.get(i));
                int[] actual = vocab.tokenize(inputs.get(i), false, false);
                if (!Arrays.equals(expected, actual)) {
                    failures.add("case " + i + " " + quote(inputs.get(i)) + ": expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + "/" + inputs.size() + " cases differ:\n" + String.join("\n", failures));
        }
    }

    /** Same splitting as test-tokenizer-0.cpp: cases separated by the marker line. */
    static List<String> splitInputs(String raw) {
        List<String> cases = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEP, pos);
            if (next < 0) {
                cases.add(raw.substring(pos));
                break;
            }
            cases.add(raw.substring(pos, next));
            pos = next + SEP.length();
        }
        return cases;
    }

    private static int[] parseIds(String line) {
        String s = line.strip();
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    @org.junit.jupiter.api.Test
    void tokenizeAndDetokenizeRoundTrip() {
        Path spm = NativeBundle.models(Progress.NONE).resolve("ggml-vocab-llama-spm.gguf");
        try (Model model = Model.load(spm, ModelParams.vocabularyOnly())) {
            Vocab v = model.vocab();
            String text = "Hello world, ünïcödé and 中文 ✓";
            int[] ids = v.tokenize(text, false, false);
            assertEquals(text, v.detokenize(ids, false, false).stripLeading());
            assertEquals(32000, v.size());
            assertTrue(v.isEndOfGeneration(v.eos()));
            assertArrayEquals(new int[] {v.bos(), 15043}, v.tokenize("Hello", true, false));
        }
    }
}
