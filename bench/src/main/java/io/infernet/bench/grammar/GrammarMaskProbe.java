package io.infernet.bench.grammar;

import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.Grammar;
import io.infernet.grammar.GrammarMatcher;
import io.infernet.grammar.JsonSchemaCompiler;
import io.infernet.grammar.TokenMask;
import io.infernet.grammar.Vocabulary;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The same costs as {@link GrammarMaskBench} in this thread's CPU time rather than wall time, for a
 * machine shared with other work (where wall time counts the waits for a core): per vocabulary and
 * schema, the median over rounds of (a) compiling a schema for the vocabulary, (b) a new schema's
 * first request per token (every mask computed once), (c) a cached schema per token.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * bench/target/classes:$(cat bench/target/classpath.txt) io.infernet.bench.grammar.GrammarMaskProbe [rounds]}
 */
public final class GrammarMaskProbe {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private GrammarMaskProbe() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        System.out.println("| vocabulary | schema | sequence | tokens | compile (ms CPU) | first request (us CPU/token) | cached (us CPU/token) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : new String[] {"llama-spm", "qwen2"}) {
            GrammarMaskBench.Pieces loaded = GrammarMaskBench.Pieces.load(name);
            byte[][] pieces = loaded.pieces();
            int[] eog = loaded.eog();
            Vocabulary vocab = Vocabulary.of(pieces, eog);
            for (String schema : new String[] {"object", "json"}) {
                Grammar g = schema.equals("object") ? JsonSchemaCompiler.compile(GrammarMaskBench.OBJECT_SCHEMA) : JsonSchemaCompiler.anyJsonObject();
                for (String sequence : new String[] {"walk", "text"}) {
                    int[] tokens = sequence.equals("walk") ? GrammarMaskBench.longWalk(CompiledGrammar.compile(g, vocab))
                            : GrammarMaskBench.longestMatch(pieces, eog, schema.equals("object") ? GrammarMaskBench.OBJECT_TEXT : GrammarMaskBench.JSON_TEXT);
                    long[] compile = new long[rounds];
                    long[] first = new long[rounds];
                    long[] cached = new long[rounds];
                    long[] mask = TokenMask.allocate(vocab.size());
                    for (int r = 0; r < rounds; r++) {
                        long t0 = cpu();
                        CompiledGrammar cg = CompiledGrammar.compile(g, vocab);
                        long t1 = cpu();
                        run(cg, tokens, mask);
                        long t2 = cpu();
                        run(cg, tokens, mask);
                        long t3 = cpu();
                        compile[r] = t1 - t0;
                        first[r] = t2 - t1;
                        cached[r] = t3 - t2;
                    }
                    System.out.printf("| %s (%d) | %s | %s | %d | %.1f | %.1f | %.2f |%n", name, vocab.size(), schema, sequence, tokens.length,
                            median(compile) / 1e6, median(first) / 1e3 / tokens.length, median(cached) / 1e3 / tokens.length);
                }
            }
        }
    }

    private static void run(CompiledGrammar cg, int[] tokens, long[] mask) {
        GrammarMatcher m = cg.matcher();
        for (int t : tokens) {
            m.fillMask(mask);
            m.accept(t);
        }
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
