package io.infernet.runtime.serve;

/**
 * What a request asks of decoding beyond how each token is drawn: several choices from one prompt,
 * token log-probabilities, and a grammar the output must follow.
 *
 * @param n          choices from one prompt, {@code 1..}{@link #MAX_N}: the prompt is computed once and each
 *                   further choice starts from a copy of its KV cells ({@code llama_memory_seq_cp}); choice
 *                   {@code i} draws with seed {@code seed + i}. All choices decode in the same steps as long as
 *                   {@code n <= --parallel}; beyond that the rest wait for slots and take the prompt from the
 *                   host prompt cache (or compute it again when it is off)
 * @param logprobs   {@link #NO_LOGPROBS}, or {@code k} in {@code 0..}{@link #MAX_TOP_LOGPROBS}: every generated
 *                   token comes with its log-probability and the {@code k} most likely tokens at that step
 *                   (see {@link TokenLogprobs} for which distribution)
 * @param constraint null, or the grammar every choice's output follows
 */
public record Decoding(int n, int logprobs, OutputConstraint constraint) {

    /** Most choices one request may ask for. */
    public static final int MAX_N = 128;
    /** Most alternatives per token ({@code top_logprobs}, as OpenAI allows). */
    public static final int MAX_TOP_LOGPROBS = 20;
    public static final int NO_LOGPROBS = -1;

    /** One choice, no log-probabilities, no constraint. */
    public static final Decoding DEFAULT = new Decoding(1, NO_LOGPROBS, null);

    public Decoding {
        if (n < 1 || n > MAX_N) {
            throw new IllegalArgumentException("n must be in 1.." + MAX_N + ", got " + n);
        }
        if (logprobs < NO_LOGPROBS || logprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top_logprobs must be in 0.." + MAX_TOP_LOGPROBS + ", got " + logprobs);
        }
    }

    public boolean wantsLogprobs() {
        return logprobs != NO_LOGPROBS;
    }

    public Decoding withN(int choices) {
        return new Decoding(choices, logprobs, constraint);
    }

    public Decoding withLogprobs(int top) {
        return new Decoding(n, top, constraint);
    }

    public Decoding withConstraint(OutputConstraint c) {
        return new Decoding(n, logprobs, c);
    }
}
