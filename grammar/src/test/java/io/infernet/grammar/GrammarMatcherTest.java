package io.infernet.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GrammarMatcherTest {
    private static final TestVocab.Vocab V = TestVocab.standard();

    private static GrammarMatcher matcher(String gbnf) {
        return CompiledGrammar.compile(Gbnf.parse(gbnf), V.vocabulary()).matcher();
    }

    private static long[] mask(GrammarMatcher m) {
        long[] mask = TokenMask.allocate(V.size());
        m.fillMask(mask);
        return mask;
    }

    /** Expected tokens for a finite language: a token is allowed iff text+piece is a prefix of a sentence. */
    private static Set<Integer> expectedFinite(Set<String> sentences, byte[] prefix) {
        Set<Integer> out = new TreeSet<>();
        for (int t = 0; t < V.size(); t++) {
            if (t == V.eog()) {
                if (sentences.stream().anyMatch(x -> Arrays.equals(x.getBytes(StandardCharsets.UTF_8), prefix))) {
                    out.add(t);
                }
                continue;
            }
            byte[] p = V.pieces()[t];
            if (p.length == 0) {
                continue;
            }
            byte[] cand = Arrays.copyOf(prefix, prefix.length + p.length);
            System.arraycopy(p, 0, cand, prefix.length, p.length);
            for (String s : sentences) {
                byte[] sb = s.getBytes(StandardCharsets.UTF_8);
                if (sb.length >= cand.length && Arrays.equals(sb, 0, cand.length, cand, 0, cand.length)) {
                    out.add(t);
                    break;
                }
            }
        }
        return out;
    }

    @Test
    void masksOfAFiniteLanguageAreExactAlongEveryStep() {
        Set<String> sentences = Set.of("ab", "ac", "abc", "name", "null", "日本", "é", "\"name\": \"Paris\"", "");
        GrammarMatcher m = matcher("""
                root ::= | "a" ("b" "c"? | "c") | "name" | "null" | "日本" | [é] | "\\"name\\": \\"" city "\\""
                city ::= "Paris"
                """);
        SplittableRandom r = new SplittableRandom(1);
        for (int walk = 0; walk < 40; walk++) {
            m.reset();
            StringBuilder text = new StringBuilder();
            List<Integer> taken = new ArrayList<>();
            while (true) {
                Set<Integer> expected = expectedFinite(sentences, bytes(taken));
                List<Integer> got = TestVocab.allowed(mask(m), V.size());
                assertEquals(expected, new TreeSet<>(got), "after " + taken + " (" + V.text(taken) + ")");
                if (got.isEmpty()) {
                    break;
                }
                int t = got.get(r.nextInt(got.size()));
                m.accept(t);
                taken.add(t);
                if (t == V.eog()) {
                    assertTrue(m.isTerminated() && m.isComplete());
                    break;
                }
            }
            assertTrue(sentences.contains(V.text(taken)), V.text(taken));
            text.setLength(0);
        }
    }

    @Test
    void multiByteCharactersSplitAcrossTokens() {
        GrammarMatcher m = matcher("root ::= [é日😀]+\n");
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        int firstHalf = tokenOf(new byte[] {e[0]});
        int secondHalf = tokenOf(new byte[] {e[1]});
        assertTrue(m.isAllowed(firstHalf));
        assertFalse(m.isAllowed(secondHalf), "a continuation byte cannot start a character");
        m.accept(firstHalf);
        assertFalse(m.canTerminate(), "half a character is not text");
        List<Integer> allowed = TestVocab.allowed(mask(m), V.size());
        for (int t : allowed) {
            assertEquals((byte) 0xA9, V.pieces()[t][0], "only é's second byte may follow: " + Arrays.toString(V.pieces()[t]));
        }
        m.accept(secondHalf);
        assertTrue(m.canTerminate());
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        assertTrue(m.acceptBytes(Arrays.copyOf(smile, 2)));
        assertTrue(m.acceptBytes(Arrays.copyOfRange(smile, 2, 4)));
        assertTrue(m.isAllowed(tokenOf("日本".getBytes(StandardCharsets.UTF_8))) == false, "本 is not in the class");
    }

    @Test
    void endOfGenerationOnlyWhereTheGrammarCanEnd() {
        GrammarMatcher m = matcher("root ::= \"ab\" \"c\"?\n");
        assertFalse(m.isAllowed(V.eog()));
        m.accept(tokenOf("a"));
        m.accept(tokenOf("b"));
        assertTrue(m.canTerminate());
        assertFalse(m.isComplete(), "a 'c' may still follow");
        assertTrue(m.isAllowed(V.eog()));
        m.accept(tokenOf("c"));
        assertTrue(m.isComplete());
        assertEquals(List.of(V.eog()), TestVocab.allowed(mask(m), V.size()));
        m.accept(V.eog());
        assertTrue(m.isTerminated());
        assertEquals(List.of(), TestVocab.allowed(mask(m), V.size()));
        assertThrows(IllegalArgumentException.class, () -> m.accept(tokenOf("c")));
    }

    @Test
    void emptyPiecesAreNeverAllowed() {
        GrammarMatcher m = matcher("root ::= [a-z]*\n");
        int empty = V.size() - 2;
        assertEquals(0, V.pieces()[empty].length);
        assertFalse(TokenMask.isAllowed(mask(m), empty));
        assertFalse(m.tryAccept(empty));
    }

    @Test
    void refusedTokenLeavesTheStateAlone() {
        GrammarMatcher m = matcher("root ::= \"abc\"\n");
        m.accept(tokenOf("a"));
        assertThrows(IllegalArgumentException.class, () -> m.accept(tokenOf("c")));
        m.accept(tokenOf("b"));
        m.accept(tokenOf("c"));
        assertTrue(m.isComplete());
    }

    @Test
    void leftRecursionAndEmptyLanguagesAreRefused() {
        var e = assertThrows(GrammarException.class, () -> matcher("root ::= root \"a\" | \"b\"\n"));
        assertTrue(e.getMessage().contains("left-recursive"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> matcher("root ::= x \"a\"\nx ::= \"\" | root\n"));
        assertTrue(e.getMessage().contains("left-recursive"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> matcher("root ::= \"a\" root\n"));
        assertTrue(e.getMessage().contains("no finite text"), e.getMessage());
    }

    @Test
    void recursionAndNullableLoopsWork() {
        GrammarMatcher m = matcher("""
                root ::= list
                list ::= "[" (item ("," item)*)? "]"
                item ::= list | [0-9]+ | e
                e ::= ""
                """);
        assertTrue(m.acceptString("[[1,[]],[[[2]]],,]"));
        assertTrue(m.canTerminate());
        GrammarMatcher r = matcher("root ::= (\"\" | \"a\")* \"b\"\n");
        assertTrue(r.acceptString("aaab"));
        assertTrue(r.isComplete());
        GrammarMatcher tail = matcher("root ::= \"x\" root | \"y\"\n");
        assertTrue(tail.acceptString("x".repeat(5000) + "y"), "right recursion is a loop (tail calls keep the stack flat)");
        assertTrue(tail.isComplete());
    }

    static Stream<String> consistencySchemas() {
        return Stream.of(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"a\"]}",
                "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":4},\"maxItems\":3}",
                "{\"type\":\"string\",\"pattern\":\"^[a-z]{1,3}.*[0-9]$\"}",
                "{\"type\":\"object\"}");
    }

    /**
     * The trie walk (with its skips over runs of string characters), the mask cache and the budget
     * agree with accepting each token on its own, along random walks.
     */
    @ParameterizedTest
    @MethodSource("consistencySchemas")
    void maskBitsAgreeWithAcceptingEachToken(String schema) {
        GrammarMatcher m = CompiledGrammar.compile(JsonSchemaCompiler.compile(schema), V.vocabulary()).matcher();
        SplittableRandom r = new SplittableRandom(schema.hashCode());
        int left = 60;
        for (int step = 0; step < 60 && !m.isTerminated(); step++, left--) {
            int budget = step % 2 == 0 ? GrammarMatcher.UNLIMITED : left;
            long[] mask = TokenMask.allocate(V.size());
            m.fillMask(mask, budget);
            boolean[] accepts = new boolean[V.size()];
            boolean[] fits = new boolean[V.size()];
            boolean anyFits = false;
            for (int t = 0; t < V.size(); t++) {
                GrammarMatcher c = m.copy();
                accepts[t] = c.tryAccept(t);
                fits[t] = accepts[t] && (budget == GrammarMatcher.UNLIMITED || c.minBytesToComplete() <= left - 1);
                anyFits |= fits[t];
            }
            for (int t = 0; t < V.size(); t++) {
                // a budget that cannot be met any more gives way to the grammar alone
                boolean expected = anyFits ? fits[t] : accepts[t];
                assertEquals(expected, TokenMask.isAllowed(mask, t), "token " + t + " (" + new String(V.pieces()[t], StandardCharsets.UTF_8)
                        + ") at step " + step + " budget " + budget);
            }
            List<Integer> allowed = TestVocab.allowed(mask, V.size());
            m.accept(allowed.get(r.nextInt(allowed.size())));
        }
    }

    @Test
    void matchersKeepWorkingWhenTheStateCachesAreReset() {
        CompiledGrammar cg = CompiledGrammar.compile(JsonSchemaCompiler.anyJsonObject(), V.vocabulary(), 1 << 20, 40);
        SplittableRandom r = new SplittableRandom(8);
        GrammarMatcher a = cg.matcher();
        GrammarMatcher b = cg.matcher();
        for (int step = 0; step < 150 && !a.isComplete(); step++) {
            long[] mask = TokenMask.allocate(V.size());
            a.fillMask(mask);
            for (int t = 0; t < V.size(); t++) {
                assertEquals(a.copy().tryAccept(t), TokenMask.isAllowed(mask, t), "token " + t + " at step " + step);
            }
            List<Integer> allowed = TestVocab.allowed(mask, V.size());
            allowed.removeIf(t -> t == V.eog());
            if (allowed.isEmpty()) {
                break;
            }
            int t = allowed.get(r.nextInt(allowed.size()));
            a.accept(t);
            assertTrue(b.tryAccept(t), "a second matcher of the grammar follows the same text");
        }
        assertTrue(cg.resets > 0, "the caches were reset (" + cg.stats() + ")");
    }

    @Test
    void aBudgetEndsTheTextInTime() {
        Grammar g = JsonSchemaCompiler.compile("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\","
                + "\"items\":{\"type\":\"string\"}}},\"required\":[\"name\",\"tags\"]}");
        CompiledGrammar cg = CompiledGrammar.compile(g, V.vocabulary());
        int min = cg.matcher().minBytesToComplete();
        assertEquals("{\"name\":\"\",\"tags\":[]}".length(), min);
        SplittableRandom r = new SplittableRandom(11);
        for (int walk = 0; walk < 30; walk++) {
            int maxTokens = min + r.nextInt(40);
            GrammarMatcher m = cg.matcher();
            List<Integer> taken = new ArrayList<>();
            for (int left = maxTokens; left > 0 && !m.isTerminated(); left--) {
                long[] mask = TokenMask.allocate(V.size());
                m.fillMask(mask, left);
                List<Integer> allowed = TestVocab.allowed(mask, V.size());
                assertFalse(allowed.isEmpty());
                int t = allowed.get(r.nextInt(allowed.size()));
                m.accept(t);
                taken.add(t);
            }
            assertTrue(m.canTerminate(), "within " + maxTokens + " tokens: " + V.text(taken));
        }
    }

    @Test
    void forcedBytesFollowTheOnlyPath() {
        GrammarMatcher m = matcher("root ::= \"{\\\"name\\\": \\\"\" [a-z]+ \"\\\"}\"\n");
        assertArrayEquals("{\"name\": \"".getBytes(StandardCharsets.UTF_8), m.forcedBytes());
        m.acceptString("{\"name\": \"x");
        assertArrayEquals(new byte[0], m.forcedBytes());
    }

    @Test
    void cachedMasksAreServedForStatesVisitedAgain() {
        CompiledGrammar cg = CompiledGrammar.compile(JsonSchemaCompiler.compile("{\"type\":\"string\"}"), V.vocabulary());
        GrammarMatcher m = cg.matcher();
        m.accept(tokenOf("\""));
        long[] first = mask(m);
        long walks = cg.walks;
        m.accept(tokenOf("hello"));
        m.accept(tokenOf(" world"));
        long[] again = mask(m);
        assertArrayEquals(first, again, "inside the string, the same tokens");
        assertEquals(walks, cg.walks, "no new walk of the vocabulary");
        assertTrue(cg.cacheHits >= 1);
    }

    @Test
    void applySetsDisallowedLogitsToMinusInfinity() {
        int n = 1000;
        float[] logits = new float[n];
        Arrays.fill(logits, 1f);
        long[] mask = TokenMask.allocate(n);
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < n; t++) {
            if (r.nextInt(3) == 0 || (t >= 128 && t < 192)) {
                TokenMask.allow(mask, t);
            }
        }
        for (int t = 256; t < 320; t++) {
            mask[t >>> 6] &= ~(1L << t);
        }
        TokenMask.apply(logits, mask, n);
        for (int t = 0; t < n; t++) {
            assertEquals(TokenMask.isAllowed(mask, t) ? 1f : Float.NEGATIVE_INFINITY, logits[t], "token " + t);
        }
    }

    private static byte[] bytes(List<Integer> tokens) {
        var out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            out.writeBytes(V.pieces()[t]);
        }
        return out.toByteArray();
    }

    static int tokenOf(String piece) {
        return tokenOf(piece.getBytes(StandardCharsets.UTF_8));
    }

    static int tokenOf(byte[] piece) {
        for (int t = 0; t < V.size(); t++) {
            if (Arrays.equals(V.pieces()[t], piece)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no token " + Arrays.toString(piece));
    }
}
