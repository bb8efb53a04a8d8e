package io.infernet.runtime.serve;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextOverflowException;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.NativeSampler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The serving engine on a generated model: batching, prefix reuse, host cache, preemption, cancel. */
@Tag("native")
class ServingEngineTest extends TinyModelTest {

    /** What a listener saw. */
    static class Recorder implements SequenceListener {
        final CompletableFuture<Finish> finished = new CompletableFuture<>();
        final List<Integer> tokens = new CopyOnWriteArrayList<>(); // written by the engine thread, read by the test
        final List<TokenLogprobs> logprobs = new CopyOnWriteArrayList<>();
        volatile int reused = -1;
        volatile String text;
        volatile int completionTokens;

        @Override
        public void onStart(int promptTokens, int reusedTokens) {
            reused = reusedTokens;
        }

        @Override
        public void onText(String t, int token) {
            if (token >= 0) {
                tokens.add(token);
            }
        }

        @Override
        public void onToken(String t, int token, TokenLogprobs lp) {
            if (lp != null) {
                logprobs.add(lp);
            }
            onText(t, token);
        }

        @Override
        public void onFinish(Finish finish, String t, int promptTokens, int completion) {
            text = t;
            completionTokens = completion;
            finished.complete(finish);
        }

        @Override
        public void onError(String message) {
            finished.completeExceptionally(new AssertionError(message));
        }

        Finish await() throws Exception {
            return finished.get(120, TimeUnit.SECONDS);
        }

        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static ServingEngine engine(ServeConfig cfg) {
        return new ServingEngine(model, cfg, (p, vocab) -> new NativeSampler(p, vocab));
    }

    /** Submits a greedy request of {@code max} tokens on {@code prompt} and waits until it has finished. */
    private static Recorder finished(ServingEngine e, int[] prompt, int max) throws Exception {
        Recorder r = new Recorder();
        e.submit(greedy(prompt, max), r);
        r.await();
        return r;
    }

    /**
     * Submits {@code n} greedy requests of {@code max} tokens at once, request i on
     * {@code promptOf(i)}; then each must finish by length with the reference output of its prompt.
     */
    private static void allFinishWithTheirOwnOutput(ServingEngine e, int n, IntFunction<int[]> promptOf, int max) throws Exception {
        List<Recorder> rs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Recorder r = new Recorder();
            rs.add(r);
            e.submit(greedy(promptOf.apply(i), max), r);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Finish.LENGTH, rs.get(i).await(), "request " + i);
            assertArrayEquals(reference(promptOf.apply(i), max), rs.get(i).ids(), "request " + i);
        }
    }

    private static ServeRequest greedy(int[] prompt, int max) {
        return new ServeRequest(prompt, SamplingParams.greedy(), max, List.of());
    }

    /** Prompt of {@code n} tokens starting with BOS, distinct per {@code salt}. */
    private static int[] prompt(int n, int salt) {
        return IntStream.range(0, n).map(i -> i == 0 ? 1 : 100 + (i * 7 + salt * 131) % 20000).toArray();
    }

    /** Greedy reference output from the plain generation loop (no batching, no cache). */
    private static int[] reference(int[] prompt, int max) {
        try (Context c = model.newContext(ContextParams.defaults().withKvCells(1024).withBatch(256, 256).withThreads(1, 1));
             Generator g = new Generator(c);
             NativeSampler s = new NativeSampler(SamplingParams.greedy(), model.vocab().size())) {
            return g.generate(prompt, s, max, false, (t, b, n) -> true).tokens();
        }
    }

    @Test
    void oneRequestMatchesThePlainGenerationLoop() throws Exception {
        int[] p = prompt(20, 1);
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withKvCells(1024))) {
            Recorder r = new Recorder();
            e.submit(greedy(p, 12), r);
            assertEquals(Finish.LENGTH, r.await());
            assertArrayEquals(reference(p, 12), r.ids());
            assertEquals(12, r.completionTokens);
        }
    }

    @Test
    void eightConcurrentRequestsOnFourSlotsAllFinishWithTheirOwnOutput() throws Exception {
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withParallel(4).withKvCells(2048).withBatchSize(64))) {
            allFinishWithTheirOwnOutput(e, 8, i -> prompt(30 + i * 9, 10 + i), 10);
            assertEquals(80, e.stats().generatedTokens());
        }
    }

    @Test
    void aRepeatedPrefixIsReusedAndGivesTheSameOutput() throws Exception {
        int[] first = prompt(120, 3);
        int[] second = IntStream.concat(IntStream.of(first), IntStream.of(500, 600, 700)).toArray();
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withKvCells(2048))) {
            finished(e, first, 4);
            Recorder b = finished(e, second, 6);
            assertTrue(b.reused >= 120, "reused " + b.reused);
            assertArrayEquals(reference(second, 6), b.ids());
            assertEquals(1, e.stats().cacheHits());
        }
    }

    @Test
    void anEvictedPrefixComesBackFromHostMemory() throws Exception {
        int[] p = prompt(100, 5);
        // One slot: every new prompt overwrites the slot, so the first one must be saved to host memory.
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withParallel(1).withKvCells(1024))) {
            finished(e, p, 3);
            finished(e, prompt(80, 6), 3);
            assertTrue(e.stats().hostCache().entries() >= 1, e.stats().toString());
            Recorder again = finished(e, p, 8);
            assertEquals(99, again.reused, "all but the last prompt token restored");
            assertArrayEquals(reference(p, 8), again.ids());
            assertTrue(e.stats().hostCache().restores() >= 1);
        }
    }

    @Test
    void differentPromptsNeverShareCachedState() throws Exception {
        // Same length, same first 10 tokens, then different: at most the 10 shared tokens are reused.
        int[] a = prompt(60, 7);
        int[] b = a.clone();
        for (int i = 10; i < b.length; i++) {
            b[i] = 3000 + i;
        }
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withKvCells(1024))) {
            finished(e, a, 5);
            Recorder rb = finished(e, b, 5);
            assertTrue(rb.reused <= 10, "reused " + rb.reused);
            assertArrayEquals(reference(b, 5), rb.ids());
        }
    }

    @Test
    void aFullCacheSwapsTheYoungestOutAndEveryRequestStillFinishes() throws Exception {
        // 256 cells for 4 sequences that each grow to ~110 tokens: they cannot all stay.
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withParallel(4).withKvCells(256).withBatchSize(32))) {
            allFinishWithTheirOwnOutput(e, 4, i -> prompt(40, 20 + i), 70);
            assertTrue(e.stats().preemptions() > 0, "expected preemptions: " + e.stats());
        }
    }

    @Test
    void cancelFreesTheSlotForTheNextRequest() throws Exception {
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withParallel(1).withKvCells(2048))) {
            Recorder long1 = new Recorder();
            ServingEngine.Handle h = e.submit(greedy(prompt(10, 8), 1_000_000), long1);
            Recorder next = new Recorder();
            e.submit(greedy(prompt(10, 9), 3), next);
            await().atMost(Duration.ofSeconds(30)).alias("the long request's first 3 tokens").until(() -> long1.tokens.size() >= 3);
            h.cancel();
            assertEquals(Finish.CANCEL, long1.await());
            assertEquals(Finish.LENGTH, next.await());
        }
    }

    @Test
    void overflowAndQueueLimitsAreRefusedUpFront() throws Exception {
        try (ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withParallel(1).withKvCells(256).withMaxQueue(1))) {
            assertThrows(ContextOverflowException.class, () -> e.submit(greedy(prompt(e.maxSequenceTokens(), 1), 1), new Recorder()));
            Recorder a = new Recorder();
            ServingEngine.Handle ha = e.submit(greedy(prompt(10, 1), 1_000_000), a);
            Recorder b = new Recorder();
            ServingEngine.Handle hb = e.submit(greedy(prompt(10, 2), 1_000_000), b);
            ServingEngine.QueueFullException full = assertThrows(ServingEngine.QueueFullException.class,
                    () -> e.submit(greedy(prompt(10, 3), 1), new Recorder()));
            assertTrue(full.retryAfter().toSeconds() >= 1);
            ha.cancel();
            hb.cancel();
            assertEquals(Finish.CANCEL, a.await());
            assertEquals(Finish.CANCEL, b.await());
        }
    }

    @Test
    void aStreamPerSlotServesConcurrentRequestsAndReusesPrefixesInPlaceOrFromHostMemory() throws Exception {
        // Four slots of 512 cells each, as llama-server lays them out: no sharing between slots.
        try (ServingEngine e = engine(ServeConfig.perSlot(4, 512).withThreads(1).withBatchSize(64))) {
            assertEquals(512, e.maxSequenceTokens());
            allFinishWithTheirOwnOutput(e, 6, i -> prompt(40 + i, 30 + i), 8);
            // A long prompt again plus more: reused in place or moved, never copied across slots.
            int[] first = prompt(150, 99);
            finished(e, first, 3);
            int[] again = IntStream.concat(IntStream.of(first), IntStream.of(7, 8, 9)).toArray();
            Recorder r = finished(e, again, 5);
            assertTrue(r.reused >= 150, "reused " + r.reused);
            assertArrayEquals(reference(again, 5), r.ids());
        }
    }

    @Test
    void withAStreamPerSlotConcurrentPromptsWithALongSharedPrefixComputeItOnce() throws Exception {
        int[] shared = prompt(60, 41);
        IntFunction<int[]> promptOf = i -> IntStream.concat(IntStream.of(shared), IntStream.of(900 + i, 1900 + i, 2900 + i)).toArray();
        try (ServingEngine e = engine(ServeConfig.perSlot(4, 512).withThreads(1).withBatchSize(256))) {
            List<Recorder> rs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Recorder r = new Recorder();
                rs.add(r);
                e.submit(greedy(promptOf.apply(i), 8), r);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(Finish.LENGTH, rs.get(i).await(), "request " + i);
                assertArrayEquals(reference(promptOf.apply(i), 8), rs.get(i).ids(), "request " + i + ": a copied prefix gives the same output");
            }
            // One computes the shared 60 tokens; the others copy them from its slot (a state copy
            // between streams), whether they came in the same step (they wait one) or later.
            assertEquals(3, rs.stream().filter(r -> r.reused == 60).count(), "requests that copied the prefix");
        }
    }

    @Test
    void penaltiesSeeThePromptAsInThePlainGenerationLoop() throws Exception {
        // A prompt whose greedy next token already occurs in it: a penalty on the prompt's tokens
        // then changes the first token. Found by putting a prompt's greedy next token at position 1.
        int[] p = null;
        int unpenalized = -1;
        for (int salt = 0; salt < 64 && p == null; salt++) {
            int[] r = prompt(24, salt);
            r[1] = reference(r, 1)[0];
            int next = reference(r, 1)[0];
            if (next == r[1]) {
                p = r;
                unpenalized = next;
            }
        }
        assertTrue(p != null, "no prompt of 64 tried repeats its greedy next token");
        SamplingParams penalized = SamplingParams.greedy().withRepeatPenalty(1.5f, 64).withFrequencyPenalty(1f).withPresencePenalty(1f);
        int[] expected;
        try (Context c = model.newContext(ContextParams.defaults().withKvCells(1024).withBatch(256, 256).withThreads(1, 1));
             Generator g = new Generator(c);
             JavaSampler s = new JavaSampler(penalized, model.vocab().size())) {
            expected = g.generate(p, s, 16, false, (t, b, n) -> true).tokens();
        }
        assertNotEquals(unpenalized, expected[0], "the penalty on the prompt's tokens changes the first token");
        try (ServingEngine e = new ServingEngine(model, ServeConfig.defaults().withThreads(1).withKvCells(1024), JavaSampler::new)) {
            Recorder r = new Recorder();
            e.submit(new ServeRequest(p, penalized, 16, List.of()), r);
            assertEquals(Finish.LENGTH, r.await());
            assertArrayEquals(expected, r.ids());
        }
    }

    @Test
    void closingWhileRequestsAreTokenizingEndsThemWithAClearError() throws Exception {
        ServingEngine e = engine(ServeConfig.defaults().withThreads(1).withKvCells(1024));
        String text = "a long prompt to tokenize, ".repeat(4000);
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(2);
        List<CompletableFuture<int[]>> calls = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2; i++) { // both preparation threads busy tokenizing when close comes
                calls.add(CompletableFuture.supplyAsync(() -> e.callNative(() -> {
                    busy.countDown();
                    hold.await();
                    return model.vocab().tokenize(text, true, false);
                }), threads));
            }
            assertTrue(busy.await(30, TimeUnit.SECONDS), "both preparation threads started");
            for (int i = 0; i < 14; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> e.callNative(() -> model.vocab().tokenize(text, true, false)), threads));
            }
            Thread closer = Thread.ofPlatform().start(e::close);
            await().atMost(Duration.ofSeconds(30)).alias("the engine reports itself closing").until(() -> !e.healthy());
            hold.countDown();
            closer.join(60_000);
            int done = 0;
            int refused = 0;
            for (CompletableFuture<int[]> c : calls) {
                try {
                    assertTrue(c.get(60, TimeUnit.SECONDS).length > 1000);
                    done++;
                } catch (java.util.concurrent.ExecutionException x) {
                    assertTrue(x.getCause() instanceof ServingEngine.EngineStoppedException, String.valueOf(x.getCause()));
                    assertEquals("the engine is shutting down", x.getCause().getMessage());
                    refused++;
                }
            }
            assertEquals(2, done, "work in progress at close finishes");
            assertEquals(14, refused, "work not yet started is refused");
            assertThrows(ServingEngine.EngineStoppedException.class, () -> e.callNative(() -> 1));
            assertThrows(ServingEngine.EngineStoppedException.class, () -> e.submit(greedy(prompt(10, 1), 1), new Recorder()));
        }
    }
}
