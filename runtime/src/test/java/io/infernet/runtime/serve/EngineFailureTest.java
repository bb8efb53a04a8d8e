package io.infernet.runtime.serve;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.JsonSchemaCompiler;
import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.FatalDecodeException;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.LlamaException;
import io.infernet.runtime.Model;
import io.infernet.runtime.TestModels;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.gguf.GgmlType;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import io.infernet.runtime.gguf.GgufTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request's failure is that request's failure: a request that bans every token, a sampler
 * that throws, NaN weights and a decode llama.cpp refuses each end only the requests involved,
 * and the next ordinary request gets the same output as on a fresh engine; so do they under an
 * output constraint and for a request of several choices (each choice ends exactly once); a fatal
 * decode status makes the engine replace its context and serve again.
 */
@Tag("native")
class EngineFailureTest extends TinyModelTest {

    static int vocab;

    @BeforeAll
    static void readVocab() {
        vocab = model.vocab().size();
    }

    /** The one terminal event of a sequence, and its tokens. */
    static final class Outcome implements SequenceListener {
        final CompletableFuture<Object> end = new CompletableFuture<>(); // a Finish or a SequenceFailure
        final List<Integer> tokens = new CopyOnWriteArrayList<>();
        final AtomicInteger terminals = new AtomicInteger();

        @Override
        public void onStart(int promptTokens, int reusedTokens) {}

        @Override
        public void onText(String text, int token) {
            if (token >= 0) {
                tokens.add(token);
            }
        }

        @Override
        public void onFinish(Finish finish, String text, int promptTokens, int completionTokens) {
            terminals.incrementAndGet();
            end.complete(finish);
        }

        @Override
        public void onFailure(SequenceFailure failure) {
            terminals.incrementAndGet();
            end.complete(failure);
        }

        @Override
        public void onError(String message) {
            throw new AssertionError("the engine must report failures through onFailure, got onError: " + message);
        }

        Object await() throws Exception {
            return end.get(60, TimeUnit.SECONDS);
        }

        SequenceFailure failure() throws Exception {
            Object o = await();
            assertTrue(o instanceof SequenceFailure, "expected a failure, got " + o);
            return (SequenceFailure) o;
        }

        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static ServeConfig config() {
        return ServeConfig.defaults().withThreads(1).withParallel(2).withKvCells(1024);
    }

    private static ServeRequest greedy(int[] prompt, int max) {
        return new ServeRequest(prompt, SamplingParams.greedy(), max, List.of());
    }

    private static int[] prompt(int n, int salt) {
        return IntStream.range(0, n).map(i -> i == 0 ? 1 : 100 + (i * 7 + salt * 131) % 20000).toArray();
    }

    private static int[] reference(Model m, int[] prompt, int max) {
        try (Context c = m.newContext(ContextParams.defaults().withKvCells(512).withBatch(128, 128).withThreads(1, 1));
             Generator g = new Generator(c);
             JavaSampler s = new JavaSampler(SamplingParams.greedy(), m.vocab().size())) {
            return g.generate(prompt, s, max, false, (t, b, n) -> true).tokens();
        }
    }

    /** After a failure: nothing is left running or queued, and an ordinary request gets the reference output. */
    private static void stillServes(ServingEngine e, Model m, int salt) throws Exception {
        await("the engine to be healthy").atMost(Duration.ofSeconds(60)).until(e::healthy);
        int[] p = prompt(24, salt);
        Outcome ok = new Outcome();
        e.submit(greedy(p, 8), ok);
        assertEquals(Finish.LENGTH, ok.await());
        assertArrayEquals(reference(m, p, 8), ok.ids());
        await("the engine to be idle").atMost(Duration.ofSeconds(10))
                .until(() -> e.stats().running() == 0 && e.stats().queued() == 0);
    }

    @Test
    void aRequestBanningEveryTokenFailsAloneAsTheRequestsDoing() throws Exception {
        Map<Integer, Float> banAll = new HashMap<>();
        for (int t = 0; t < vocab; t++) {
            banAll.put(t, Float.NEGATIVE_INFINITY);
        }
        try (ServingEngine e = new ServingEngine(model, config(), JavaSampler::new)) {
            Outcome banned = new Outcome();
            Outcome neighbour = new Outcome();
            int[] p = prompt(20, 1);
            e.submit(new ServeRequest(p, SamplingParams.defaults().withLogitBias(banAll), 8, List.of()), banned);
            e.submit(greedy(prompt(20, 2), 8), neighbour);

            SequenceFailure f = banned.failure();
            assertEquals(SequenceFailure.Cause.REQUEST, f.cause());
            assertEquals("logit_bias", f.param());
            assertTrue(f.message().contains("No token can be sampled"), f.message());
            assertEquals(Finish.LENGTH, neighbour.await(), "the request beside it is not affected");
            assertArrayEquals(reference(model, prompt(20, 2), 8), neighbour.ids());
            assertEquals(1, banned.terminals.get());
            assertTrue(e.healthy());
            stillServes(e, model, 3);
        }
    }

    /**
     * JavaSamplers, except the one made for {@code poisonedSeed}: it throws an ArithmeticException
     * on its {@code failingSample}-th draw, or on the first token of the prompt it is given when
     * {@code failingSample} is 0.
     */
    static BiFunction<SamplingParams, Integer, TokenSampler> throwingFor(long poisonedSeed, int failingSample) {
        return (params, n) -> {
            JavaSampler real = new JavaSampler(params, n);
            if (params.seed() != poisonedSeed) {
                return real;
            }
            return new TokenSampler() {
                int calls;

                @Override
                public int sample(Context ctx, int outputIndex) {
                    if (++calls == failingSample) {
                        throw new ArithmeticException("a bug in this sampler");
                    }
                    return real.sample(ctx, outputIndex);
                }

                @Override
                public void accept(int token) {
                    if (failingSample == 0) {
                        throw new ArithmeticException("a bug in this sampler");
                    }
                    real.accept(token);
                }

                @Override
                public void reset() {
                    real.reset();
                }
            };
        };
    }

    @Test
    void aSamplerThatThrowsFailsOnlyItsOwnRequest() throws Exception {
        long poisonedSeed = 666;
        try (ServingEngine e = new ServingEngine(model, config(), throwingFor(poisonedSeed, 3))) {
            List<Outcome> good = new ArrayList<>();
            Outcome bad = new Outcome();
            e.submit(new ServeRequest(prompt(16, 4), SamplingParams.greedy().withSeed(poisonedSeed), 8, List.of()), bad);
            for (int i = 0; i < 3; i++) {
                Outcome o = new Outcome();
                good.add(o);
                e.submit(greedy(prompt(16 + i, 5 + i), 6), o);
            }
            SequenceFailure f = bad.failure();
            assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
            assertTrue(f.message().contains("a bug in this sampler"), f.message());
            assertEquals(2, bad.ids().length, "the tokens before the failure were delivered");
            for (int i = 0; i < 3; i++) {
                assertEquals(Finish.LENGTH, good.get(i).await());
                assertArrayEquals(reference(model, prompt(16 + i, 5 + i), 6), good.get(i).ids(), "request " + i);
            }
            stillServes(e, model, 6);
        }
    }

    /**
     * NaN weights: the embedding row of one token is NaN, so any prompt holding it gives NaN
     * logits; a prompt without it is computed exactly as on the clean model. The failed request's
     * cells are dropped, so the next request in the same slot is not contaminated.
     */
    @Test
    void nanLogitsFailTheirRequestAsOursAndTheNextRequestInTheSameSlotSucceeds(@TempDir Path dir) throws Exception {
        int poisoned = 2000;
        Path file = withNanEmbeddingRow(TestModels.tiny(), dir.resolve("nan.gguf"), poisoned);
        try (Model nan = Model.load(file);
             ServingEngine e = new ServingEngine(nan, ServeConfig.defaults().withThreads(1).withParallel(1).withKvCells(512),
                     JavaSampler::new)) {
            for (int round = 0; round < 2; round++) {
                int[] p = prompt(20, 7 + round);
                p[10] = poisoned;
                Outcome o = new Outcome();
                e.submit(new ServeRequest(p, SamplingParams.defaults().withSeed(round), 8, List.of()), o);
                SequenceFailure f = o.failure();
                assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
                assertNull(f.param());
                assertTrue(f.message().contains("no usable logits"), f.message());
                assertTrue(e.healthy(), "a NaN answer is the request's failure, not the engine's");
                stillServes(e, model, 9 + round); // the clean model's output: the poisoned row is not in the prompt
            }
            assertEquals(0, e.restarts());
        }
    }

    // ---- with the decoding options: an output constraint, several choices ----------------------

    /** Listeners for the {@code n} choices of one request. */
    private static List<Outcome> outcomes(int n) {
        return IntStream.range(0, n).mapToObj(i -> new Outcome()).toList();
    }

    /** Each choice ended exactly once: no event after its terminal one, however long the engine ran on. */
    private static void endedOnce(List<Outcome> choices) {
        for (int i = 0; i < choices.size(); i++) {
            assertEquals(1, choices.get(i).terminals.get(), "choice " + i + " got one terminal event");
        }
    }

    @Test
    void everyTokenBannedUnderAnOutputConstraintIsStillTheRequestsDoing() throws Exception {
        Map<Integer, Float> banAll = new HashMap<>();
        for (int t = 0; t < vocab; t++) {
            banAll.put(t, Float.NEGATIVE_INFINITY);
        }
        OutputConstraint json = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.anyJsonObject(),
                model.vocab().grammarVocabulary()));
        try (ServingEngine e = new ServingEngine(model, config(), JavaSampler::new)) {
            List<Outcome> choices = outcomes(2);
            e.submit(new ServeRequest(prompt(20, 17), SamplingParams.defaults().withLogitBias(banAll), 16, List.of(),
                    new Decoding(2, Decoding.NO_LOGPROBS, json)), choices::get);
            for (Outcome o : choices) {
                SequenceFailure f = o.failure();
                assertEquals(SequenceFailure.Cause.REQUEST, f.cause());
                assertEquals("logit_bias", f.param());
                assertTrue(f.message().contains("output format allows"), f.message());
            }
            stillServes(e, model, 18);
            endedOnce(choices);
            assertEquals(0, e.restarts());
        }
    }

    /**
     * NaN logits for a request of three choices on two slots: the leader and the choice that forks
     * from it fail on the shared row, the third (which waited for a slot) fails on its own; each
     * once, as ours; the engine then serves the clean model's output.
     */
    @Test
    void nanLogitsFailEveryChoiceOnceAndTheEngineServesTheNextRequest(@TempDir Path dir) throws Exception {
        int poisoned = 2000;
        Path file = withNanEmbeddingRow(TestModels.tiny(), dir.resolve("nan.gguf"), poisoned);
        try (Model nan = Model.load(file);
             ServingEngine e = new ServingEngine(nan, config(), JavaSampler::new)) {
            for (int n : new int[] {2, 3}) {
                int[] p = prompt(20, 19 + n);
                p[10] = poisoned;
                List<Outcome> choices = outcomes(n);
                e.submit(new ServeRequest(p, SamplingParams.defaults().withSeed(n), 8, List.of(), Decoding.DEFAULT.withN(n)), choices::get);
                for (Outcome o : choices) {
                    SequenceFailure f = o.failure();
                    assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
                    assertTrue(f.message().contains("no usable logits"), f.message());
                }
                stillServes(e, model, 22 + n);
                endedOnce(choices);
            }
            assertEquals(0, e.restarts());
        }
    }

    @Test
    void aChoiceWhoseSamplerThrowsFailsAloneAndItsSiblingsFinish() throws Exception {
        long seed = 700; // choice i draws with seed + i: choice 1's sampler throws on its third draw
        try (ServingEngine e = new ServingEngine(model, ServeConfig.defaults().withThreads(1).withParallel(3).withKvCells(1536),
                throwingFor(seed + 1, 3))) {
            int[] p = prompt(18, 25);
            List<Outcome> choices = outcomes(3);
            e.submit(new ServeRequest(p, SamplingParams.greedy().withSeed(seed), 6, List.of(), Decoding.DEFAULT.withN(3)), choices::get);
            SequenceFailure f = choices.get(1).failure();
            assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
            assertTrue(f.message().contains("a bug in this sampler"), f.message());
            for (int i : new int[] {0, 2}) {
                assertEquals(Finish.LENGTH, choices.get(i).await(), "choice " + i);
                assertArrayEquals(reference(model, p, 6), choices.get(i).ids(), "choice " + i);
            }
            stillServes(e, model, 26);
            endedOnce(choices);
        }
    }

    @Test
    void aLeaderWhoseSamplerRefusesThePromptFailsTheChoicesThatWouldForkFromIt() throws Exception {
        long seed = 800;
        try (ServingEngine e = new ServingEngine(model, config(), throwingFor(seed, 0))) {
            List<Outcome> choices = outcomes(2);
            e.submit(new ServeRequest(prompt(16, 27), SamplingParams.greedy().withSeed(seed), 6, List.of(), Decoding.DEFAULT.withN(2)),
                    choices::get);
            for (Outcome o : choices) {
                SequenceFailure f = o.failure();
                assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
                assertTrue(f.message().contains("could not start"), f.message());
            }
            stillServes(e, model, 28);
            endedOnce(choices);
        }
    }

    @Test
    void aBatchLlamaCppRefusesFailsItsRequestsAndTheEngineGoesOn() throws Exception {
        AtomicInteger decodes = new AtomicInteger();
        Decoder refuseThird = (ctx, batch) -> {
            if (decodes.incrementAndGet() == 3) {
                throw new LlamaException("llama_decode failed on tiny: invalid batch (-1)");
            }
            return ctx.decode(batch);
        };
        try (ServingEngine e = new ServingEngine(model, config(), JavaSampler::new, refuseThird)) {
            Outcome o = new Outcome();
            e.submit(greedy(prompt(20, 10), 8), o);
            SequenceFailure f = o.failure();
            assertEquals(SequenceFailure.Cause.INTERNAL, f.cause());
            assertTrue(f.message().contains("invalid batch"), f.message());
            stillServes(e, model, 11);
            assertEquals(0, e.restarts(), "a refused batch leaves the context usable");
        }
    }

    @Test
    void aFatalDecodeStatusRestartsTheEngineOnANewContext() throws Exception {
        AtomicInteger decodes = new AtomicInteger();
        CountDownLatch bothSubmitted = new CountDownLatch(1);
        Decoder fatalOnThird = (ctx, batch) -> {
            // The first decode waits for the second request: else the fatal third one could come
            // before it is submitted, which is then refused as the engine restarts (seen under load).
            try {
                if (!bothSubmitted.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the second request was not submitted");
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            if (decodes.incrementAndGet() == 3) {
                throw new FatalDecodeException("llama_decode failed on tiny: internal error (-3)", -3);
            }
            return ctx.decode(batch);
        };
        try (ServingEngine e = new ServingEngine(model, config(), JavaSampler::new, fatalOnThird)) {
            Outcome first = new Outcome();
            Outcome second = new Outcome();
            e.submit(greedy(prompt(20, 12), 8), first);
            e.submit(greedy(prompt(21, 13), 8), second);
            bothSubmitted.countDown();
            for (Outcome o : List.of(first, second)) {
                SequenceFailure f = o.failure();
                assertEquals(SequenceFailure.Cause.UNAVAILABLE, f.cause());
                assertTrue(f.message().contains("internal error (-3)") && f.message().contains("restarting"), f.message());
            }
            await("the engine to restart").atMost(Duration.ofSeconds(60)).until(() -> e.restarts() == 1);
            stillServes(e, model, 14);
            assertNull(e.brokenReason());
        }
    }

    @Test
    void sizesARequestSetsAreBoundedBeforeItsSamplerIsMade() {
        try (ServingEngine e = new ServingEngine(model, config(), JavaSampler::new)) {
            int room = e.maxSequenceTokens();
            var window = assertThrows(ServingEngine.InvalidRequestException.class, () -> e.submit(
                    new ServeRequest(prompt(8, 15), SamplingParams.defaults().withRepeatPenalty(1.1f, Integer.MAX_VALUE), 4, List.of()),
                    new Outcome()));
            assertEquals("repeat_last_n", window.param());
            assertTrue(window.getMessage().contains(Integer.toString(room)), window.getMessage());
            var bias = assertThrows(ServingEngine.InvalidRequestException.class, () -> e.submit(
                    new ServeRequest(prompt(8, 16), SamplingParams.defaults().withLogitBias(Map.of(vocab, -1f)), 4, List.of()),
                    new Outcome()));
            assertEquals("logit_bias", bias.param());
            assertEquals(0, e.stats().queued() + e.stats().running());
            assertFalse(e.brokenReason() != null);
        }
    }

    /** A copy of an F32 model whose token-embedding row {@code token} is NaN. */
    static Path withNanEmbeddingRow(Path source, Path target, int token) throws IOException {
        Files.copy(source, target);
        GgufFile f = GgufReader.read(target);
        GgufTensor embd = f.tensor("token_embd.weight").orElseThrow();
        assertEquals(GgmlType.F32, embd.type(), "the tiny model's embeddings are F32");
        int dim = (int) (long) embd.dims().getFirst();
        ByteBuffer nan = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dim; i++) {
            nan.putFloat(Float.NaN);
        }
        nan.flip();
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.write(nan, f.dataOffset() + embd.offset() + (long) token * dim * Float.BYTES);
        }
        return target;
    }
}
