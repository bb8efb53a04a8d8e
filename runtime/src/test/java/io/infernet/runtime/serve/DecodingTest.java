package io.infernet.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.JsonSchemaCompiler;
import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.TokenSampler;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Decoding options in the serving engine on a generated random-weight model: output constraints
 * (every output parses and validates, whatever the weights and the temperature), log-probabilities
 * (against an exact computation on the model's logits), and several choices per request (the
 * prompt computed once, each choice the same as a request of its own with its seed).
 */
@Tag("native")
class DecodingTest extends TinyModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One choice's events. */
    static final class Choice extends ServingEngineTest.Recorder {}

    private static ServingEngine engine(ServeConfig cfg) {
        return new ServingEngine(model, cfg, JavaSampler::new);
    }

    private static ServeConfig unified(int parallel) {
        return ServeConfig.defaults().withThreads(1).withParallel(parallel).withKvCells(2048).withBatchSize(64);
    }

    private static int[] prompt(int n, int salt) {
        return IntStream.range(0, n).map(i -> i == 0 ? 1 : 300 + (i * 13 + salt * 97) % 20000).toArray();
    }

    private static List<Choice> run(ServingEngine e, ServeRequest r) throws Exception {
        List<Choice> choices = new ArrayList<>();
        for (int i = 0; i < r.decoding().n(); i++) {
            choices.add(new Choice());
        }
        e.submit(r, choices::get);
        for (Choice c : choices) {
            c.await();
        }
        return choices;
    }

    // ---- output constraints --------------------------------------------------------------------

    static final List<String> SCHEMAS = List.of(
            """
            {"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer","minimum":0,"maximum":150},
             "ok":{"type":"boolean"}},"required":["name","age","ok"],"additionalProperties":false}""",
            """
            {"type":"object","properties":{"tags":{"type":"array","items":{"enum":["a","b","c"]},"minItems":1,"maxItems":3},
             "score":{"type":"number","minimum":0,"maximum":1},"when":{"type":"string","format":"date"}},
             "required":["tags","score","when"],"additionalProperties":false}""",
            """
            {"$defs":{"p":{"type":"object","properties":{"x":{"type":"integer"},"y":{"anyOf":[{"type":"null"},{"const":"z"}]}},
             "required":["x","y"],"additionalProperties":false}},"type":"object","properties":{"a":{"$ref":"#/$defs/p"},
             "id":{"type":"string","format":"uuid"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},"required":["a","id","zip"],
             "additionalProperties":false}""");

    private static JsonSchema validator(String schema) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config);
    }

    @Test
    void everyOutputParsesAndValidatesAtTemperatureOnePointFiveForManySeeds() throws Exception {
        try (ServingEngine e = engine(unified(4))) {
            for (String schema : SCHEMAS) {
                OutputConstraint c = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.compile(schema),
                        model.vocab().grammarVocabulary()));
                JsonSchema v = validator(schema);
                List<CompletableFuture<Finish>> all = new ArrayList<>();
                List<Choice> choices = new ArrayList<>();
                for (int seed = 0; seed < 12; seed++) {
                    Choice ch = new Choice();
                    choices.add(ch);
                    SamplingParams p = SamplingParams.defaults().withTemperature(1.5f).withSeed(seed);
                    e.submit(new ServeRequest(prompt(8, seed), p, 200, List.of(), Decoding.DEFAULT.withConstraint(c)), ch);
                    all.add(ch.finished);
                }
                for (Choice ch : choices) {
                    assertEquals(Finish.STOP, ch.await(), ch.text);
                    JsonNode doc = JSON.readTree(ch.text);
                    assertEquals(Set.of(), v.validate(doc), ch.text);
                }
            }
        }
    }

    @Test
    void anyJsonObjectCompletesWithinATightBudget() throws Exception {
        OutputConstraint c = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.anyJsonObject(), model.vocab().grammarVocabulary()));
        assertEquals(2, c.minTokens(), "{} is the shortest object");
        try (ServingEngine e = engine(unified(2))) {
            for (int budget : new int[] {2, 3, 7, 16}) {
                List<Choice> out = run(e, new ServeRequest(prompt(6, budget), SamplingParams.defaults().withTemperature(1.5f).withSeed(budget),
                        budget, List.of(), Decoding.DEFAULT.withConstraint(c)));
                assertTrue(JSON.readTree(out.getFirst().text).isObject(), out.getFirst().text);
                assertTrue(out.getFirst().tokens.size() <= budget);
            }
            assertThrows(IllegalArgumentException.class, () -> e.submit(new ServeRequest(prompt(6, 0), SamplingParams.greedy(), 1, List.of(),
                    Decoding.DEFAULT.withConstraint(c)), new Choice()), "a budget below the shortest output is refused");
        }
    }

    @Test
    void aSamplerThatIgnoresTheMaskFailsItsSequenceNotTheEngine() throws Exception {
        OutputConstraint c = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.anyJsonObject(), model.vocab().grammarVocabulary()));
        int notJson = model.vocab().tokenize("x", false, false)[0];
        TokenSampler stubborn = new TokenSampler() { // always "x", which no JSON object starts with
            @Override
            public int sample(Context ctx, int outputIndex) {
                return notJson;
            }

            @Override
            public void accept(int token) {}

            @Override
            public void reset() {}
        };
        try (ServingEngine e = new ServingEngine(model, unified(1), (p, v) -> p.seed() == 1 ? stubborn : new JavaSampler(p, v))) {
            Choice bad = new Choice();
            e.submit(new ServeRequest(prompt(6, 1), SamplingParams.greedy().withSeed(1), 8, List.of(), Decoding.DEFAULT.withConstraint(c)), bad);
            Throwable why = assertThrows(Exception.class, bad::await);
            assertTrue(String.valueOf(why.getMessage()).contains("does not allow"), String.valueOf(why));
            List<Choice> next = run(e, new ServeRequest(prompt(6, 2), SamplingParams.greedy().withSeed(2), 8, List.of(),
                    Decoding.DEFAULT.withConstraint(c)));
            assertTrue(JSON.readTree(next.getFirst().text).isObject(), "the engine still serves: " + next.getFirst().text);
        }
    }

    // ---- log-probabilities -----------------------------------------------------------------------

    /** Greedy, and records the exact log-softmax (double) of each row it samples from. */
    static final class ExactLogprobs implements TokenSampler {
        final List<double[]> rows = new ArrayList<>();

        @Override
        public int sample(Context ctx, int outputIndex) {
            MemorySegment x = ctx.logits(outputIndex);
            int n = model.vocab().size();
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int i = 0; i < n; i++) {
                float v = x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                if (v > max) {
                    max = v;
                    best = i;
                }
            }
            double z = 0;
            for (int i = 0; i < n; i++) {
                z += Math.exp(x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) - max);
            }
            double[] lp = new double[n];
            for (int i = 0; i < n; i++) {
                lp[i] = x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) - max - Math.log(z);
            }
            rows.add(lp);
            return best;
        }

        @Override
        public void accept(int token) {}

        @Override
        public void reset() {}
    }

    @Test
    void logprobsAreTheModelsLogSoftmaxWithTheTopTokensSorted() throws Exception {
        int[] p = prompt(12, 40);
        ExactLogprobs exact = new ExactLogprobs();
        int[] reference;
        try (Context c = model.newContext(ContextParams.defaults().withKvCells(512).withBatch(64, 64).withThreads(1, 1));
             Generator g = new Generator(c)) {
            reference = g.generate(p, exact, 10, false, (t, b, n) -> true).tokens();
        }
        try (ServingEngine e = engine(unified(2))) {
            Choice c = run(e, new ServeRequest(p, SamplingParams.greedy(), 10, List.of(), Decoding.DEFAULT.withLogprobs(5))).getFirst();
            assertArrayEquals(reference, c.ids());
            assertEquals(10, c.logprobs.size());
            for (int i = 0; i < 10; i++) {
                TokenLogprobs lp = c.logprobs.get(i);
                double[] row = exact.rows.get(i);
                assertEquals(reference[i], lp.token());
                assertEquals(row[lp.token()], lp.logprob(), 1e-4, "step " + i);
                assertEquals(5, lp.topTokens().length);
                assertEquals(lp.token(), lp.topTokens()[0], "greedy picks the most likely");
                double mass = 0;
                for (int k = 0; k < 5; k++) {
                    assertEquals(row[lp.topTokens()[k]], lp.topLogprobs()[k], 1e-4);
                    if (k > 0) {
                        assertTrue(lp.topLogprobs()[k] <= lp.topLogprobs()[k - 1], "sorted, most likely first");
                    }
                    mass += Math.exp(lp.topLogprobs()[k]);
                }
                assertTrue(mass <= 1 + 1e-4, "probabilities of distinct tokens sum to at most 1: " + mass);
                // nothing outside the top 5 is more likely than the fifth
                double fifth = lp.topLogprobs()[4];
                Set<Integer> top = new HashSet<>();
                for (int t : lp.topTokens()) {
                    top.add(t);
                }
                for (int t = 0; t < row.length; t++) {
                    assertTrue(top.contains(t) || row[t] <= fifth + 1e-5, "token " + t + " beats the top 5");
                }
            }
            Choice none = run(e, new ServeRequest(p, SamplingParams.greedy(), 3, List.of())).getFirst();
            assertTrue(none.logprobs.isEmpty());
        }
    }

    @Test
    void logprobsOfAConstrainedOutputAreStillTheModelsUnmaskedOnes() throws Exception {
        OutputConstraint c = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.anyJsonObject(), model.vocab().grammarVocabulary()));
        try (ServingEngine e = engine(unified(2))) {
            Choice out = run(e, new ServeRequest(prompt(10, 3), SamplingParams.greedy(), 20, List.of(),
                    new Decoding(1, 3, c))).getFirst();
            assertTrue(JSON.readTree(out.text).isObject(), out.text);
            TokenLogprobs first = out.logprobs.getFirst();
            // the random model's favourite first token is not '{': the top list is the unmasked one
            assertNotEquals(first.token(), first.topTokens()[0], "the top tokens come from the unmasked distribution");
            assertTrue(first.logprob() <= first.topLogprobs()[0]);
        }
    }

    // ---- several choices -------------------------------------------------------------------------

    @Test
    void greedyChoicesAreIdenticalAndThePromptIsComputedOnce() throws Exception {
        int[] p = prompt(100, 7);
        int n = 4;
        int max = 6;
        for (ServeConfig cfg : List.of(unified(4), ServeConfig.perSlot(4, 512).withThreads(1).withBatchSize(64))) {
            int[] single;
            try (ServingEngine e = engine(cfg)) {
                single = run(e, new ServeRequest(p, SamplingParams.greedy(), max, List.of())).getFirst().ids();
            }
            try (ServingEngine e = engine(cfg)) {
                List<Choice> out = run(e, new ServeRequest(p, SamplingParams.greedy(), max, List.of(), Decoding.DEFAULT.withN(n)));
                for (Choice c : out) {
                    assertArrayEquals(single, c.ids(), "every greedy choice is the single greedy output (" + cfg + ")");
                }
                // the engine publishes its counters after the step that ended the choices
                await().atMost(Duration.ofSeconds(30)).alias("the engine's counters after the last step").until(() -> e.stats().running() == 0);
                ServeStats s = e.stats();
                // the prompt once, then each choice feeds back all its tokens but the last
                assertEquals(p.length + (long) n * (max - 1), s.decodedTokens(), s.toString());
                assertEquals(n - 1, s.forkedSequences());
                assertEquals(p.length, s.promptTokens(), "the request's prompt counts once");
                assertEquals(n * max, s.generatedTokens());
                assertEquals(p.length, out.get(1).reused, "a forked choice reports its prompt as reused");
            }
        }
    }

    @Test
    void eachSampledChoiceIsTheSingleRequestWithItsSeed() throws Exception {
        int[] p = prompt(40, 9);
        long seed = 4242;
        SamplingParams sampling = SamplingParams.defaults().withTemperature(1.2f).withSeed(seed);
        int n = 3;
        for (ServeConfig cfg : List.of(unified(4), ServeConfig.perSlot(4, 256).withThreads(1).withBatchSize(64))) {
            try (ServingEngine e = engine(cfg)) {
                List<Choice> out = run(e, new ServeRequest(p, sampling, 12, List.of(), Decoding.DEFAULT.withN(n).withLogprobs(2)));
                Set<String> distinct = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    Choice alone = run(e, new ServeRequest(p, sampling.withSeed(seed + i), 12, List.of(), Decoding.DEFAULT.withLogprobs(2))).getFirst();
                    assertArrayEquals(alone.ids(), out.get(i).ids(), "choice " + i + " (" + cfg + ")");
                    for (int k = 0; k < alone.logprobs.size(); k++) {
                        assertEquals(alone.logprobs.get(k).logprob(), out.get(i).logprobs.get(k).logprob(), 1e-4);
                    }
                    distinct.add(java.util.Arrays.toString(out.get(i).ids()));
                }
                assertTrue(distinct.size() > 1, "different seeds give different choices");
            }
        }
    }

    @Test
    void moreChoicesThanSlotsAllFinishAndMatchTheirSingleRequests() throws Exception {
        int[] p = prompt(90, 11);
        SamplingParams sampling = SamplingParams.defaults().withSeed(77);
        for (ServeConfig cfg : List.of(unified(2), ServeConfig.perSlot(2, 512).withThreads(1).withBatchSize(64))) {
            try (ServingEngine e = engine(cfg)) {
                List<Choice> out = run(e, new ServeRequest(p, sampling, 5, List.of(), Decoding.DEFAULT.withN(5)));
                await().atMost(Duration.ofSeconds(30)).alias("the engine's counters after the last step").until(() -> e.stats().running() == 0);
                assertEquals(1, e.stats().forkedSequences(), "two slots: one choice forks, three wait for a slot");
                // the prompt once; the three that waited take it from cache (another slot or host memory) but
                // for its last token, decoded again for their own logits
                assertEquals(p.length + 5 * 4 + 3, e.stats().decodedTokens(), e.stats().toString());
                for (int i = 0; i < 5; i++) {
                    Choice alone = run(e, new ServeRequest(p, sampling.withSeed(77 + i), 5, List.of())).getFirst();
                    assertArrayEquals(alone.ids(), out.get(i).ids(), "choice " + i + " (" + cfg + ")");
                }
            }
        }
    }

    @Test
    void constrainedChoicesAreAllValid() throws Exception {
        String schema = SCHEMAS.getFirst();
        OutputConstraint c = OutputConstraint.of(CompiledGrammar.compile(JsonSchemaCompiler.compile(schema), model.vocab().grammarVocabulary()));
        try (ServingEngine e = engine(unified(4))) {
            List<Choice> out = run(e, new ServeRequest(prompt(20, 1), SamplingParams.defaults().withTemperature(1.5f).withSeed(5), 120,
                    List.of(), new Decoding(4, Decoding.NO_LOGPROBS, c)));
            JsonSchema v = validator(schema);
            for (Choice ch : out) {
                assertEquals(Set.of(), v.validate(JSON.readTree(ch.text)), ch.text);
            }
        }
    }

    @Test
    void cancellingARequestEndsEveryChoice() throws Exception {
        try (ServingEngine e = engine(unified(2))) {
            List<Choice> choices = List.of(new Choice(), new Choice(), new Choice());
            ServingEngine.Handle h = e.submit(new ServeRequest(prompt(30, 2), SamplingParams.greedy(), 100_000, List.of(),
                    Decoding.DEFAULT.withN(3)), choices::get);
            h.cancel();
            for (Choice c : choices) {
                assertEquals(Finish.CANCEL, c.await());
            }
            assertNull(e.brokenReason());
            assertNotNull(e.stats());
        }
    }

    @Test
    void aRequestForSeveralChoicesNeedsAListenerPerChoice() {
        try (ServingEngine e = engine(unified(2))) {
            assertThrows(IllegalArgumentException.class, () -> e.submit(new ServeRequest(prompt(5, 0), SamplingParams.greedy(), 3, List.of(),
                    Decoding.DEFAULT.withN(2)), new Choice()));
        }
        assertThrows(IllegalArgumentException.class, () -> new Decoding(0, -1, null));
        assertThrows(IllegalArgumentException.class, () -> new Decoding(1, 21, null));
    }
}
