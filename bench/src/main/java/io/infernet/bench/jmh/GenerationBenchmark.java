package io.infernet.bench.jmh;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Generation, the tg128 of llama-bench, two ways; scores are tokens per second (128 operations per
 * invocation):
 * <ul>
 * <li>{@code tg128DecodeOnly}: 128 single-token decodes from an empty cache, no sampling, the next
 *     token random: what llama-bench's tg measures.</li>
 * <li>{@code tg128Loop}: our real loop ({@link Generator}) from a one-token prompt: 128 decodes, the
 *     Java sampler (greedy), end-of-generation checks and detokenization of every token.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 5, time = 5)
public class GenerationBenchmark extends NativeFork {

    public static final int TOKENS = 128;

    @State(Scope.Benchmark)
    public static class Gen extends TierParams {

        Model model;
        Context decodeCtx;
        Context loopCtx;
        Batch batch;
        Generator generator;
        TokenSampler sampler;
        int[] prompt;
        SplittableRandom random = new SplittableRandom(1234);
        final byte[] text = new byte[1 << 16];
        int textLen;

        @Setup(Level.Trial)
        public void setUp() {
            model = TierModel.open(tier);
            int t = TierModel.threads(threads);
            decodeCtx = model.newContext(TierModel.context(TOKENS, t));
            loopCtx = model.newContext(TierModel.context(TOKENS + 1, t));
            batch = new Batch(1, 1);
            generator = new Generator(loopCtx);
            sampler = new JavaSampler(SamplingParams.greedy(), model.vocab().size());
            prompt = new int[] {TierModel.firstToken(model)};
            int n = generator.generate(prompt, sampler, TOKENS, false, (tok, b, len) -> true).tokens().length;
            if (n != TOKENS) {
                throw new IllegalStateException("the " + tier + " model ends generation after " + n + " tokens; tg" + TOKENS
                        + " needs " + TOKENS + " (tokens/s would be miscounted)");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sampler.close();
            generator.close();
            batch.close();
            model.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public int tg128DecodeOnly(Gen s) {
        s.decodeCtx.clearMemory();
        int token = s.prompt[0];
        for (int i = 0; i < TOKENS; i++) {
            s.batch.clear();
            s.batch.add(token, i, 0, true);
            if (s.decodeCtx.decode(s.batch) != DecodeStatus.OK) {
                throw new IllegalStateException("decode failed");
            }
            s.decodeCtx.logits(0);
            token = s.random.nextInt(s.model.vocab().size());
        }
        return token;
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public int tg128Loop(Gen s) {
        s.textLen = 0;
        Generator.Result r = s.generator.generate(s.prompt, s.sampler, TOKENS, false, (tok, bytes, len) -> {
            int n = Math.min(len, s.text.length - s.textLen);
            System.arraycopy(bytes, 0, s.text, s.textLen, n);
            s.textLen += n;
            return true;
        });
        return r.tokens().length + s.textLen;
    }
}
