package io.infernet.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Generates one sequence on a context: prefill the prompt in batch-sized chunks, then one
 * token per decode until end-of-generation, {@code maxTokens}, a full context, or the sink
 * says stop. The per-token loop allocates nothing: the batch, the piece buffers and the
 * sampler's scratch are made once. Run it on a platform thread (a virtual thread would pin its
 * carrier for the whole native decode).
 *
 * <p>Not thread-safe; one generator per context, on the context's thread.
 */
public final class Generator implements AutoCloseable {

    /** Why a generation ended. */
    public enum StopReason { END_OF_GENERATION, MAX_TOKENS, CONTEXT_FULL, CANCELLED }

    /**
     * What happened, with timings in the shape {@code infernet generate --json} prints.
     *
     * @param promptMs   wall time of the prefill (all prompt decodes), milliseconds
     * @param generationMs wall time from the first sampled token to the end, milliseconds
     */
    public record Result(int[] promptTokens, int[] tokens, StopReason reason, double promptMs, double generationMs) {
        public double promptTokensPerSecond() {
            return promptMs <= 0 ? 0 : promptTokens.length * 1000.0 / promptMs;
        }

        /** Generated tokens per second; the first token's sampling after prefill counts, its decode is in the prompt time. */
        public double generationTokensPerSecond() {
            return generationMs <= 0 ? 0 : tokens.length * 1000.0 / generationMs;
        }
    }

    private final Context ctx;
    private final Vocab vocab;
    private final Batch batch;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment piece;
    private final byte[] pieceBytes;
    private final int seqId;

    /** @param seqId the sequence of {@code ctx} to generate in (its cache is cleared first) */
    public Generator(Context ctx, int seqId) {
        this.ctx = ctx;
        this.vocab = ctx.model().vocab();
        this.batch = new Batch(ctx.batchSize(), 1);
        this.piece = arena.allocate(256);
        this.pieceBytes = new byte[256];
        this.seqId = seqId;
    }

    public Generator(Context ctx) {
        this(ctx, 0);
    }

    /**
     * Generates after {@code prompt}.
     *
     * @param specialPieces render special tokens (e.g. an end-of-turn marker) as text in the output
     * @throws ContextOverflowException if the prompt leaves no room to generate
     * @throws IllegalArgumentException for an empty prompt or a token id outside the vocabulary
     */
    public Result generate(int[] prompt, TokenSampler sampler, int maxTokens, boolean specialPieces, TokenSink sink) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        for (int t : prompt) {
            vocab.checkToken(t);
        }
        int room = ctx.kvCellsPerSequence();
        if (prompt.length + 1 > room) {
            throw new ContextOverflowException(prompt.length, room);
        }
        ctx.removeTokens(seqId, -1, -1);
        sampler.reset();

        long t0 = System.nanoTime();
        int pos = 0;
        int last = -1;
        while (pos < prompt.length) {
            batch.clear();
            int end = Math.min(prompt.length, pos + batch.capacity());
            for (int i = pos; i < end; i++) {
                last = batch.add(prompt[i], i, seqId, i == prompt.length - 1);
                sampler.accept(prompt[i]);
            }
            if (ctx.decode(batch) != DecodeStatus.OK) {
                throw new LlamaException("no room in the KV cache for the prompt (" + prompt.length + " tokens)");
            }
            pos = end;
        }
        long t1 = System.nanoTime();

        int[] out = new int[Math.min(maxTokens, room - prompt.length)];
        int n = 0;
        StopReason reason;
        while (true) {
            int token = sampler.sample(ctx, last);
            sampler.accept(token);
            if (vocab.isEndOfGeneration(token)) {
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            out[n++] = token;
            int len = vocab.tokenToPiece(token, piece, specialPieces);
            if (len < 0 || len > pieceBytes.length) {
                throw new LlamaException("token " + token + " renders to more than " + pieceBytes.length + " bytes");
            }
            MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, 0, pieceBytes, 0, len);
            if (!sink.onToken(token, pieceBytes, len)) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (n == maxTokens) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            if (pos >= room || n == out.length) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            batch.clear();
            last = batch.add(token, pos++, seqId, true);
            DecodeStatus st = ctx.decode(batch);
            if (st != DecodeStatus.OK) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
        }
        long t2 = System.nanoTime();
        return new Result(prompt.clone(), java.util.Arrays.copyOf(out, n), reason, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }

    /**
     * Runs the generation path once, briefly, and forgets it, as llama.cpp's tools do before
     * they time anything (llama-bench generates a token first; {@code common_init} decodes BOS
     * and EOS): ggml's first decodes build its graph and threads, and the first calls link the
     * downcalls and load their classes. A fresh {@code generate} paid that inside its first
     * tokens (measured: bench/results/cold-start.md). Clears {@code sampler} (as every
     * {@link #generate} does) and the sequence's cache afterwards.
     *
     * @param prompt the prompt to start from (its first 8 tokens are used)
     * @param tokens how many tokens to generate
     */
    public void warmUp(int[] prompt, TokenSampler sampler, int tokens) {
        int[] start = java.util.Arrays.copyOf(prompt, Math.min(prompt.length, 8));
        int room = ctx.kvCellsPerSequence() - start.length - 1;
        if (start.length == 0 || room < 1) {
            return;
        }
        generate(start, sampler, Math.min(tokens, room), false, (token, bytes, len) -> true);
        // The rest of a token's Java work (the batch, the end check, its text) a few thousand
        // times more, without decoding: the JIT compiles it now instead of running it interpreted
        // through the first hundred tokens that count (0.1-0.16 ms a token, measured).
        int t = start[start.length - 1];
        for (int i = 0; i < WARM_CALLS; i++) {
            batch.clear();
            batch.add(t, i & 7, seqId, true);
            if (!vocab.isEndOfGeneration(t)) {
                int len = vocab.tokenToPiece(t, piece, false);
                MemorySegment.copy(piece, ValueLayout.JAVA_BYTE, 0, pieceBytes, 0, Math.clamp(len, 0, pieceBytes.length));
            }
        }
        batch.clear();
        ctx.removeTokens(seqId, -1, -1);
        sampler.reset();
    }

    /** Calls of a token's Java path besides decode and sampling in {@link #warmUp}: past C1's thresholds, with C2 at work on the hottest. */
    static final int WARM_CALLS = 3_000;

    @Override
    public void close() {
        batch.close();
        arena.close();
    }
}
