package io.infernet.runtime;

import io.infernet.kernels.Sampler;
import io.infernet.kernels.SamplingParams;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the Java sampler before the first token needs it. A fresh JVM runs the Vector API
 * kernels interpreted, then through C1, and every vector operation allocates until C2 has
 * compiled them: a fresh {@code generate} paid about half a second of that inside its first
 * hundred tokens. This runs the sampler's modes on synthetic logits in off-heap memory (as
 * llama.cpp's are) on a platform thread of its own, meant to overlap the model load.
 *
 * <p>The kernels' compiled code does not depend on the vocabulary size, so one size serves every
 * model.
 */
public final class Warmup {
    private static final System.Logger LOG = System.getLogger(Warmup.class.getName());

    /** Logits per synthetic row: a vocabulary of a common size. */
    static final int VOCAB = 32_000;
    /** Samples per mode: enough for C2 to compile every kernel the mode takes (500 sufficed for greedy; measured: bench/results/cold-start.md). */
    public static final int SAMPLES_PER_MODE = 1_500;

    /** The modes clients use: greedy, plain temperature, llama.cpp's default filters, OpenAI's top-p, penalties. */
    static final List<SamplingParams> MODES = List.of(
            SamplingParams.greedy(),
            SamplingParams.greedy().withTemperature(0.8f).withSeed(1),
            SamplingParams.greedy().withTemperature(0.8f).withTopK(40).withTopP(0.95f).withMinP(0.05f).withSeed(2),
            SamplingParams.greedy().withTemperature(1f).withTopP(0.9f).withSeed(3),
            SamplingParams.greedy().withTemperature(0.7f).withTopK(20).withRepeatPenalty(1.1f, 64).withFrequencyPenalty(0.2f)
                    .withPresencePenalty(0.2f).withLogitBias(Map.of(7, -2f)).withSeed(4));

    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long samples;

    private Warmup() {}

    private List<SamplingParams> modes = MODES;
    private int samplesPerMode = SAMPLES_PER_MODE;

    private static Warmup first;

    /** Starts warming every common mode on a daemon platform thread and returns at once. */
    public static Warmup start() {
        return start(MODES, SAMPLES_PER_MODE);
    }

    /** The warm-up of every common mode, started once per process (later callers get the same one: the JIT's work is shared). */
    public static synchronized Warmup once() {
        if (first == null) {
            first = start();
        }
        return first;
    }

    /** Starts warming the given modes, {@code samplesPerMode} tokens each. */
    public static Warmup start(List<SamplingParams> modes, int samplesPerMode) {
        Warmup w = new Warmup();
        w.modes = List.copyOf(modes);
        w.samplesPerMode = samplesPerMode;
        Thread.ofPlatform().name("infernet-warmup").daemon(true).start(w::run);
        return w;
    }

    /** Waits until the warm-up is done, at most {@code max}; true if it finished. */
    public boolean await(Duration max) {
        try {
            return done.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Tokens sampled so far (for tests and logs). */
    public long samples() {
        return samples;
    }

    private void run() {
        long t0 = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] rows = new MemorySegment[4];
            SplittableRandom r = new SplittableRandom(42);
            for (int k = 0; k < rows.length; k++) {
                // Seen as llama.cpp's logits are (Context.logits): a segment over a raw address, in the
                // global scope. A row of the arena's own confined scope compiled the kernels for that
                // scope, and the first real token's logits threw them out (an uncommon trap, then C2
                // compiling again on the cores ggml needs, for the first ten tokens).
                long bytes = (long) VOCAB * Float.BYTES;
                rows[k] = MemorySegment.ofAddress(arena.allocate(bytes, 64).address()).reinterpret(bytes);
                for (int i = 0; i < VOCAB; i++) { // an LM-like row: a normal bulk, a few plausible tokens well above it
                    rows[k].setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextGaussian() * 2));
                }
                for (int j = 0; j < 24; j++) {
                    rows[k].setAtIndex(ValueLayout.JAVA_FLOAT, r.nextInt(VOCAB), 18f - 0.7f * j);
                }
            }
            for (SamplingParams p : modes) {
                Sampler s = new Sampler(p, VOCAB);
                for (int i = 0; i < samplesPerMode; i++) {
                    s.accept(s.sample(rows[i & 3]));
                    samples++;
                }
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "sampler warmed up: " + samples + " tokens in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "the sampler warm-up failed (the first tokens will be slower): " + e);
        } finally {
            done.countDown();
        }
    }
}
