package io.infernet.engines.ollama;

/**
 * What this node always tells Ollama about the machine, in every request's {@code options}:
 * the existing JavaScript node never sent a context length, so Ollama used its own default
 * (2048 or 4096 tokens, depending on its version) and silently cut long prompts.
 *
 * @param numCtx    tokens of context per sequence ({@code num_ctx}); Ollama truncates longer
 *                  prompts to it rather than failing, so it is also what {@code models()} reports
 * @param numThread CPU threads for the parts that run on the CPU ({@code num_thread}); the
 *                  caller passes the physical core count where it knows it
 * @param keepAlive how long Ollama keeps the model loaded after a request ({@code keep_alive},
 *                  Ollama's duration syntax such as {@code "5m"} or {@code "-1"}), or null for its default
 */
public record OllamaOptions(int numCtx, int numThread, String keepAlive) {

    public static final int DEFAULT_NUM_CTX = 4096;

    public OllamaOptions {
        if (numCtx < 256) {
            throw new IllegalArgumentException("num_ctx must be >= 256 tokens, got " + numCtx);
        }
        if (numThread < 1) {
            throw new IllegalArgumentException("num_thread must be >= 1, got " + numThread);
        }
        if (keepAlive != null && keepAlive.isBlank()) {
            keepAlive = null;
        }
    }

    /** 4096 tokens of context, one thread per available processor, Ollama's keep-alive. */
    public static OllamaOptions defaults() {
        return new OllamaOptions(DEFAULT_NUM_CTX, Runtime.getRuntime().availableProcessors(), null);
    }

    public OllamaOptions withNumCtx(int n) {
        return new OllamaOptions(n, numThread, keepAlive);
    }

    public OllamaOptions withNumThread(int n) {
        return new OllamaOptions(numCtx, n, keepAlive);
    }
}
