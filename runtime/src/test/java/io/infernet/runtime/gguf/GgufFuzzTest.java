package io.infernet.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the GGUF reader and the model validator with Jazzer: whatever the
 * bytes, {@link GgufReader} either returns a file or throws a {@link GgufException} naming it
 * (never another exception, an out-of-memory error or a message saying a check was missed), and
 * {@link ModelValidator} and the file's accessors report problems without throwing anything else.
 *
 * <p>With every test run this runs in regression mode over the committed seeds in
 * {@code GgufFuzzTestInputs/} (small generated models: see {@link GgufFuzzSeeds}) and past
 * findings; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (override with
 * {@code -Djazzer.max_duration=10m}).
 */
class GgufFuzzTest {
    private static final Path NAME = Path.of("fuzz.gguf");

    @FuzzTest(maxDuration = "20s")
    void readerAndValidatorRefuseCleanly(byte[] input) {
        GgufFile f;
        try {
            f = GgufReader.parse(NAME, input);
        } catch (GgufException e) {
            assertClean(e);
            return;
        }
        ModelValidator.problems(f, false);
        ModelValidator.problems(f, true);
        try {
            ModelValidator.validate(f, false);
        } catch (GgufException e) {
            assertClean(e);
        }
        try {
            f.shape();
        } catch (GgufException e) {
            assertClean(e);
        }
        f.llamaCppIssues();
        f.tensorBytes();
        f.parameterCount();
    }

    /** Names the file, and is no other exception wrapped (the reader wraps what its checks missed). */
    private static void assertClean(GgufException e) {
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        assertNull(e.getCause(), () -> "a check was missed: " + e.getMessage());
        assertTrue(e.getMessage().length() < 4000, () -> "a message of " + e.getMessage().length() + " characters");
    }
}
