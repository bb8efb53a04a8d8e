package io.infernet.engines;

/**
 * Token counts of one generation.
 *
 * @param cachedTokens prompt tokens that came from a cache instead of being computed (OpenAI's
 *                     {@code prompt_tokens_details.cached_tokens}); -1 when the engine does not say
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
    /** Counts from an engine that does not say what it had cached. */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, -1);
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
