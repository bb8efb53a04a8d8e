package io.infernet.runtime;

import io.infernet.kernels.SamplingParams;
import io.infernet.natives.Progress;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A child for {@link ModelCorpusTest}, speaking {@link ModelProbeMain}'s protocol: loads each
 * model as the node does ({@link Model#load}, in process, default parameters) and generates 16
 * tokens greedily twice with the Java sampler; a file is {@code ok} only if both runs give the
 * same tokens, all inside the vocabulary.
 */
public final class GenerateCheckMain {
    private GenerateCheckMain() {}

    public static void main(String[] args) {
        LlamaRuntime.load(Progress.NONE);
        for (int i = 0; i < args.length; i++) {
            System.out.println(ModelProbeMain.PREFIX + "begin " + i);
            System.out.flush();
            try {
                System.out.println(ModelProbeMain.PREFIX + "ok " + i + " " + generate(Path.of(args[i])));
            } catch (RuntimeException e) {
                System.out.println(ModelProbeMain.PREFIX + "refused " + i + " " + ModelProbeMain.oneLine(String.valueOf(e.getMessage())));
            }
            System.out.flush();
        }
        System.out.println(ModelProbeMain.PREFIX + "done");
        System.exit(0);
    }

    private static String generate(Path file) {
        try (Model m = Model.load(file)) {
            int[] tokens = m.vocab().tokenize("Once upon a time", true, false);
            int[] prompt = tokens.length > 0 ? tokens : new int[] {0};
            int[] first = run(m, prompt);
            int[] second = run(m, prompt);
            if (!Arrays.equals(first, second)) {
                throw new LlamaException(file + ": greedy generation is not repeatable: " + Arrays.toString(first) + " then " + Arrays.toString(second));
            }
            for (int t : first) {
                m.vocab().checkToken(t);
            }
            return "generated " + first.length + " tokens " + Arrays.toString(first);
        }
    }

    private static int[] run(Model m, int[] prompt) {
        try (Context c = m.newContext(ContextParams.defaults().withKvCells(256).withBatch(64, 64).withThreads(1, 1));
             Generator g = new Generator(c);
             JavaSampler s = new JavaSampler(SamplingParams.greedy(), m.vocab().size())) {
            return g.generate(prompt, s, 16, false, (t, b, n) -> true).tokens();
        }
    }
}
