package io.infernet.bench.inproc;

import io.infernet.kernels.SamplingParams;
import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.ContextParams;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.Generator;
import io.infernet.runtime.JavaSampler;
import io.infernet.runtime.LlamaException;
import io.infernet.runtime.LlamaRuntime;
import io.infernet.runtime.Model;
import io.infernet.runtime.TokenSampler;
import io.infernet.runtime.TokenSink;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The in-process measurements, shaped like llama-bench's tests so the figures compare:
 * <ul>
 * <li><b>pp</b>: one decode of {@code promptTokens} random tokens (the first BOS when the model adds
 *     one) into an empty cache, logits of the last token only; context of {@code promptTokens}.</li>
 * <li><b>tg, decode only</b>: {@code genTokens} single-token decodes from an empty cache, each
 *     waited for, the next token random: exactly llama-bench's tg, no sampling.</li>
 * <li><b>tg, our loop</b>: {@link Generator} from a one-token prompt to {@code genTokens} tokens
 *     with the Java sampler (greedy) and detokenization: {@code genTokens} decodes (the prompt's
 *     and {@code genTokens - 1} more), {@code genTokens} samples and pieces. Timed from the call to
 *     its return, so every cost a user pays is in.</li>
 * <li><b>TTFT</b>: {@link Generator} with a {@code promptTokens}-token prompt and one token to
 *     generate: prefill, the first sample and its piece.</li>
 * </ul>
 * Each test gets its own context, made for it and freed after, as llama-bench does; each starts
 * with an untimed warm-up of at least one run and {@value #WARM_UP_SECONDS} s (our loop and TTFT:
 * two runs), longer than llama-bench's (one pp run, one single-token decode): the JVM compiles
 * the Java path in background threads, which on a small machine compete with ggml's workers, so
 * a run right after a short warm-up measures the compiler too (seen: the first timed loop run at
 * half speed). A server runs long past that point.
 *
 * <p>One thread drives everything (the context's owner); not thread-safe.
 */
public final class InProcessBench {

    private final Model model;
    private final int threads;
    private final int promptTokens;
    private final int genTokens;
    private final SplittableRandom random;
    private final Consumer<String> progress;

    /** Least warm-up time per test, seconds. */
    static final double WARM_UP_SECONDS = 2.0;

    public InProcessBench(Model model, int threads, int promptTokens, int genTokens, long seed, Consumer<String> progress) {
        if (threads < 1 || promptTokens < 1 || genTokens < 1) {
            throw new IllegalArgumentException("threads, prompt and generation tokens must be >= 1");
        }
        this.model = model;
        this.threads = threads;
        this.promptTokens = promptTokens;
        this.genTokens = genTokens;
        this.random = new SplittableRandom(seed);
        this.progress = progress;
    }

    /** Runs every test {@code reps} times after its warm-up. */
    public ProbeResult run(int reps, int gpuLayers) {
        if (reps < 1) {
            throw new IllegalArgumentException("reps must be >= 1, got " + reps);
        }
        List<Double> pp = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        List<Double> loop = new ArrayList<>();
        List<Integer> loopTokens = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();

        progress.accept("pp" + promptTokens + ": warm-up and " + reps + " runs");
        try (Context ctx = model.newContext(params(promptTokens)); Batch batch = new Batch(promptTokens, 1)) {
            warmUp(1, () -> prompt(ctx, batch));
            for (int i = 0; i < reps; i++) {
                pp.add(prompt(ctx, batch));
            }
        }
        progress.accept("tg" + genTokens + " decode only: warm-up and " + reps + " runs");
        try (Context ctx = model.newContext(params(genTokens)); Batch batch = new Batch(1, 1)) {
            warmUp(1, () -> decode(ctx, batch, genTokens));
            for (int i = 0; i < reps; i++) {
                decode.add(decode(ctx, batch, genTokens));
            }
        }
        progress.accept("tg" + genTokens + " our loop (Java sampler, detokenization): warm-up and " + reps + " runs");
        try (Context ctx = model.newContext(params(genTokens + 1)); Generator g = new Generator(ctx);
             TokenSampler sampler = greedy()) {
            warmUp(2, () -> loop(g, sampler));
            for (int i = 0; i < reps; i++) {
                double[] r = loop(g, sampler);
                loop.add(r[0]);
                loopTokens.add((int) r[1]);
            }
        }
        progress.accept("time to first token after " + promptTokens + " tokens: warm-up and " + reps + " runs");
        try (Context ctx = model.newContext(params(promptTokens + 1)); Generator g = new Generator(ctx);
             TokenSampler sampler = greedy()) {
            warmUp(2, () -> ttft(g, sampler));
            for (int i = 0; i < reps; i++) {
                ttft.add(ttft(g, sampler));
            }
        }
        LlamaRuntime rt = LlamaRuntime.load();
        return new ProbeResult(rt.libraries().origin(), rt.libraries().dir().toString(), rt.version(), rt.systemInfo().strip(),
                model.description(), model.sizeBytes(), threads, gpuLayers, promptTokens, genTokens, pp, decode, loop, loopTokens, ttft);
    }

    /** Runs {@code once} at least {@code minRuns} times and for at least {@link #WARM_UP_SECONDS}. */
    private static void warmUp(int minRuns, Runnable once) {
        long end = System.nanoTime() + (long) (WARM_UP_SECONDS * 1e9);
        for (int i = 0; i < minRuns || System.nanoTime() < end; i++) {
            once.run();
        }
    }

    private ContextParams params(int contextTokens) {
        int batch = Math.min(512, contextTokens);
        return ContextParams.defaults().withKvCells(contextTokens).withBatch(batch, batch).withThreads(threads, threads);
    }

    private TokenSampler greedy() {
        return new JavaSampler(SamplingParams.greedy(), model.vocab().size());
    }

    /** One prompt-processing run; tokens per second. */
    double prompt(Context ctx, Batch batch) {
        ctx.clearMemory();
        batch.clear();
        int n = promptTokens;
        for (int i = 0; i < n; i++) {
            batch.add(i == 0 ? firstToken() : randomToken(), i, 0, i == n - 1);
        }
        long t0 = System.nanoTime();
        check(ctx.decode(batch));
        ctx.logits(n - 1); // waits for the decode (asynchronous on GPU backends)
        long t1 = System.nanoTime();
        return n * 1e9 / (t1 - t0);
    }

    /** {@code n} single-token decodes from an empty cache; tokens per second. */
    double decode(Context ctx, Batch batch, int n) {
        ctx.clearMemory();
        int token = firstToken();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            batch.clear();
            batch.add(token, i, 0, true);
            check(ctx.decode(batch));
            ctx.logits(0);
            token = randomToken();
        }
        long t1 = System.nanoTime();
        return n * 1e9 / (t1 - t0);
    }

    /** Our generation loop from a one-token prompt; {tokens per second, tokens}. */
    double[] loop(Generator g, TokenSampler sampler) {
        int[] prompt = {firstToken()};
        PieceSink sink = new PieceSink();
        long t0 = System.nanoTime();
        Generator.Result r = g.generate(prompt, sampler, genTokens, false, sink);
        long t1 = System.nanoTime();
        int n = r.tokens().length;
        return new double[] {n * 1e9 / (t1 - t0), n};
    }

    /** Time to first token after a {@code promptTokens}-token prompt, ms. */
    double ttft(Generator g, TokenSampler sampler) {
        int[] prompt = new int[promptTokens];
        prompt[0] = firstToken();
        for (int i = 1; i < prompt.length; i++) {
            prompt[i] = randomToken();
        }
        PieceSink sink = new PieceSink();
        long t0 = System.nanoTime();
        g.generate(prompt, sampler, 1, false, sink);
        long t1 = System.nanoTime();
        return (t1 - t0) / 1e6;
    }

    private int firstToken() {
        return model.vocab().addsBos() && model.vocab().bos() >= 0 ? model.vocab().bos() : randomToken();
    }

    private int randomToken() {
        return random.nextInt(model.vocab().size());
    }

    private static void check(DecodeStatus st) {
        if (st != DecodeStatus.OK) {
            throw new LlamaException("llama_decode returned " + st + " during a benchmark (context too small?)");
        }
    }

    /** Keeps the text the way a server would: bytes appended to a growing buffer. */
    private static final class PieceSink implements TokenSink {
        private byte[] buf = new byte[4096];
        private int size;

        @Override
        public boolean onToken(int token, byte[] bytes, int len) {
            if (size + len > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
            }
            System.arraycopy(bytes, 0, buf, size, len);
            size += len;
            return true;
        }
    }
}
