package io.infernet.bench.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.infernet.bench.jmh.NativeFork;
import io.infernet.kernels.LogitKernels;
import io.infernet.kernels.Sampler;
import io.infernet.kernels.SamplingParams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per token of {@link Sampler#sample} (plus {@link Sampler#accept}) over a native logits row,
 * as llama.cpp hands it over. Four different rows rotate so each call sees fresh values.
 *
 * <p>Shapes: {@code peaked} is LM-like (a bulk N(0, 2^2) and 24 plausible tokens falling from 18 by
 * exponential gaps of mean 0.7; at temperature 1 the bulk holds ~2% of the mass); {@code flat} is
 * the bulk alone, the worst case for thresholds (a top-p set of thousands of tokens).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SamplerBench extends NativeFork {

    @Param({"32000", "131072"})
    int vocab;

    @Param({"greedy", "topk40", "topp95", "minp05", "penalties", "full", "llama"})
    String mode;

    @Param({"vector", "scalar"})
    String kernels;

    @Param({"peaked"})
    String shape;

    private Arena arena;
    private MemorySegment[] rows;
    private Sampler sampler;
    private int step;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        rows = new MemorySegment[4];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = arena.allocate((long) vocab * Float.BYTES, 64);
            fill(rows[r], vocab, shape, 1000 + r);
        }
        sampler = new Sampler(params(mode), vocab, kernels.equals("scalar") ? LogitKernels.scalar() : LogitKernels.vector());
        for (int i = 0; i < 64; i++) { // a full penalty window
            sampler.accept(sampler.sample(rows[i & 3]));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int sample() {
        int token = sampler.sample(rows[step++ & 3]);
        sampler.accept(token);
        return token;
    }

    static SamplingParams params(String mode) {
        SamplingParams p = SamplingParams.greedy().withSeed(42);
        return switch (mode) {
            case "greedy" -> p;
            case "topk40" -> p.withTemperature(0.8f).withTopK(40);
            case "topp95" -> p.withTemperature(1f).withTopP(0.95f);
            case "minp05" -> p.withTemperature(1f).withMinP(0.05f);
            case "penalties" -> p.withTemperature(0.8f).withTopK(40).withRepeatPenalty(1.1f, 64)
                    .withFrequencyPenalty(0.1f).withPresencePenalty(0.1f);
            case "full" -> p.withTemperature(1f); // an OpenAI request that sets nothing
            case "llama" -> p.withTemperature(0.8f).withTopK(40).withTopP(0.95f).withMinP(0.05f); // llama.cpp's defaults
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    static void fill(MemorySegment row, int n, String shape, long seed) {
        var random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            row.setAtIndex(LogitKernels.LOGIT, i, (float) (random.nextGaussian() * 2));
        }
        if (shape.equals("peaked")) {
            float top = 18f;
            for (int j = 0; j < 24; j++) {
                row.setAtIndex(LogitKernels.LOGIT, random.nextInt(n), top);
                top -= (float) (-Math.log(1 - random.nextDouble()) * 0.7);
            }
        } else if (!shape.equals("flat")) {
            throw new IllegalArgumentException("unknown shape " + shape);
        }
    }
}
