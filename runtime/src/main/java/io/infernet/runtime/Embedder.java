package io.infernet.runtime;


/**
 * Sequence embeddings from a model with pooling (mean, cls or last): each input is decoded in
 * one micro-batch on its own context (llama.cpp pools per micro-batch, so a sequence must not
 * be split), and its pooled vector is returned L2-normalized, as OpenAI's are. Not
 * thread-safe; owned by one platform thread.
 */
public final class Embedder implements AutoCloseable {
    private final Model model;
    private final Context ctx;
    private final Batch batch;
    private final int maxTokens;

    /**
     * @param maxTokens most tokens of one input; longer inputs are refused, never truncated
     */
    public Embedder(Model model, int maxTokens, int threads) {
        if (!model.hasPooling()) {
            throw new IllegalArgumentException(model.name() + " has no pooling layer (no pooling_type in its GGUF), so it makes no embeddings");
        }
        this.model = model;
        this.ctx = model.newContext(new ContextParams(maxTokens, maxTokens, maxTokens, 1, threads, threads, true, -1, true));
        this.maxTokens = Math.min(maxTokens, ctx.kvCells());
        this.batch = new Batch(this.maxTokens, 1);
    }

    /** Most tokens one input may have. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * The normalized embedding of {@code tokens}.
     *
     * @throws ContextOverflowException if the input has more than {@link #maxTokens()} tokens
     */
    public float[] embed(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("an empty input has no embedding");
        }
        if (tokens.length > maxTokens) {
            throw new ContextOverflowException(tokens.length, maxTokens);
        }
        for (int t : tokens) {
            model.vocab().checkToken(t);
        }
        ctx.clearMemory();
        batch.clear();
        for (int i = 0; i < tokens.length; i++) {
            batch.add(tokens[i], i, 0, true);
        }
        if (ctx.decode(batch) != DecodeStatus.OK) {
            throw new LlamaException("no room to embed " + tokens.length + " tokens");
        }
        float[] v = ctx.sequenceEmbedding(0);
        if (v == null) {
            throw new LlamaException("llama.cpp returned no pooled embedding for " + model.name());
        }
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    @Override
    public void close() {
        batch.close();
        ctx.close();
    }
}
