package io.infernet.engines;

import java.util.List;

/**
 * The answer to an embeddings request.
 *
 * @param vectors      one vector per input, in input order
 * @param promptTokens tokens of all inputs together, or -1 where the engine does not say
 */
public record Embeddings(List<float[]> vectors, int promptTokens) {
    public Embeddings {
        vectors = List.copyOf(vectors);
    }
}
