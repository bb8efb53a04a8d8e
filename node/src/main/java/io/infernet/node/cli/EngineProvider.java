package io.infernet.node.cli;

import io.infernet.engines.Engine;

/**
 * Builds the engine {@code infernet serve} runs. Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.infernet.node.cli.EngineProvider}. Exactly one must be present.
 */
public interface EngineProvider {

    /** Short name printed on start, e.g. "in-process". */
    String name();

    /**
     * Opens the engine, ready to serve (model loaded), or throws with a message a user can act
     * on (e.g. an {@link IllegalArgumentException} naming the bad option). The caller owns and
     * closes the engine.
     */
    Engine open(EngineOptions options);
}
