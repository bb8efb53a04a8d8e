package io.infernet.bench.jmh;

import io.infernet.runtime.Batch;
import io.infernet.runtime.Context;
import io.infernet.runtime.DecodeStatus;
import io.infernet.runtime.Model;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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
 * The cost of the FFM calls the generation loop makes once per token, through the runtime's own
 * wrappers (with their open/closed checks), in nanoseconds per call:
 * {@code llama_get_logits_ith} with the {@code reinterpret} to the vocabulary's length,
 * {@code llama_vocab_is_eog}, {@code llama_token_to_piece} into a reused buffer, and
 * {@code llama_n_batch} as an almost empty downcall (the floor of a call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class FfmCallBenchmark extends NativeFork {

    @State(Scope.Benchmark)
    public static class Calls {
        @Param({"demo"})
        public String tier;

        Model model;
        Context ctx;
        Arena arena;
        MemorySegment piece;
        int token;

        @Setup(Level.Trial)
        public void setUp() {
            model = TierModel.open(tier);
            ctx = model.newContext(TierModel.context(16, TierModel.threads(0)));
            try (Batch b = new Batch(1, 1)) {
                b.add(TierModel.firstToken(model), 0, 0, true);
                if (ctx.decode(b) != DecodeStatus.OK) {
                    throw new IllegalStateException("decode failed");
                }
            }
            arena = Arena.ofConfined();
            piece = arena.allocate(256);
            token = Math.min(1000, model.vocab().size() - 1);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
            model.close();
        }
    }

    @Benchmark
    public MemorySegment logitsIth(Calls s) {
        return s.ctx.logits(0);
    }

    @Benchmark
    public float logitsIthAndRead(Calls s) {
        return s.ctx.logits(0).getAtIndex(ValueLayout.JAVA_FLOAT, s.token);
    }

    @Benchmark
    public boolean vocabIsEog(Calls s) {
        return s.model.vocab().isEndOfGeneration(s.token);
    }

    @Benchmark
    public int tokenToPiece(Calls s) {
        return s.model.vocab().tokenToPiece(s.token, s.piece, false);
    }

    @Benchmark
    public int emptyDowncall(Calls s) {
        return s.ctx.batchSize();
    }
}
