package io.infernet.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.GgufMutants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No model file kills the process: every mutant of two small generated models ({@link GgufMutants}:
 * header and metadata bit flips, truncations, absurd counts, tensor dimensions, types and offsets,
 * semantic edits of every hyperparameter and tokenizer key the validator checks) is refused by the
 * Java checks with a message naming the file, or refused or crashed-on in {@link ModelProbe}'s
 * child, or loads and generates correctly in process. The in-process loads run in children too
 * ({@link GenerateCheckMain}, one per batch), so a crash fails this test instead of ending it.
 *
 * <p>About 700 files, 1-2 minutes. A larger corpus on demand:
 * {@code -Dcorpus.flips=5000 -Dcorpus.seed=2} (random header bit flips; the rest is fixed). The
 * verdict of every mutant is written to {@code target/model-corpus-report.txt}.
 */
@Tag("slow")
@Tag("native")
class ModelCorpusTest {
    private static final int FLIPS = Integer.getInteger("corpus.flips", 150);
    private static final long SEED = Long.getLong("corpus.seed", 11);

    @TempDir
    Path dir;

    @Test
    void noMutantCrashesTheProcess() throws IOException {
        byte[] spm = GgufMutants.base(GgufMutants.spmBase(), dir);
        byte[] bpe = GgufMutants.base(GgufMutants.bpeBase(), dir);
        List<GgufMutants.Mutant> mutants = GgufMutants.all(spm, bpe, dir, FLIPS, SEED);
        List<Path> files = new ArrayList<>();
        Path m = Files.createDirectories(dir.resolve("mutants"));
        for (int i = 0; i < mutants.size(); i++) {
            files.add(Files.write(m.resolve(i + ".gguf"), mutants.get(i).bytes()));
        }
        ModelProbe probe = new ModelProbe(null, ModelProbe.childJava(), ModelProbeMain.class.getName(), Duration.ofSeconds(60), Duration.ZERO);
        List<ModelProbe.Verdict> checked = probe.check(files, Progress.NONE);

        List<Path> accepted = new ArrayList<>();
        for (ModelProbe.Verdict v : checked) {
            if (v.accepted()) {
                accepted.add(v.file());
            } else {
                assertTrue(v.message().contains(v.file().toString()), "a refusal names the file: " + v.message());
            }
        }
        ModelProbe generator = new ModelProbe(null, ModelProbe.childJava(), GenerateCheckMain.class.getName(), Duration.ofSeconds(60), Duration.ZERO);
        List<ModelProbe.Verdict> generated = generator.check(accepted, Progress.NONE);

        int[] counts = new int[ModelProbe.Outcome.values().length];
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            ModelProbe.Verdict v = checked.get(i);
            counts[v.outcome().ordinal()]++;
            String then = v.accepted() ? " -> in process: " + generated.get(accepted.indexOf(v.file())).message() : "";
            report.append(v.outcome()).append(" | ").append(mutants.get(i).name()).append(" | ").append(v.message()).append(then).append('\n');
        }
        long worked = generated.stream().filter(ModelProbe.Verdict::accepted).count();
        String summary = "%d mutants: %d accepted and loaded and generated in process, %d refused by the Java checks, %d refused by llama.cpp in the child, %d crashed or hung the child (refused), %d failed in process"
                .formatted(files.size(), worked, counts[ModelProbe.Outcome.REFUSED_BY_CHECKS.ordinal()],
                        counts[ModelProbe.Outcome.REFUSED_BY_LLAMA_CPP.ordinal()],
                        counts[ModelProbe.Outcome.CRASHED.ordinal()] + counts[ModelProbe.Outcome.TIMED_OUT.ordinal()],
                        accepted.size() - worked);
        Files.writeString(Path.of("target", "model-corpus-report.txt"), summary + "\n\n" + report);
        System.out.println(summary);
        for (ModelProbe.Verdict g : generated) {
            assertEquals(ModelProbe.Outcome.ACCEPTED, g.outcome(), "accepted by the probe but failed in process: " + g.message());
        }
        assertTrue(files.size() > 500 && accepted.size() > 50, summary);
    }
}
