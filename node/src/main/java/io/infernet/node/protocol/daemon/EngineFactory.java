package io.infernet.node.protocol.daemon;

import io.infernet.engines.Engine;
import io.infernet.node.protocol.config.NodeConfig;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens the engine {@code infernet start} serves jobs with. Implementations are found with
 * {@link ServiceLoader} (declare them in {@code META-INF/services/io.infernet.node.protocol.daemon.EngineFactory});
 * the in-process llama.cpp engine is meant to be one.
 */
public interface EngineFactory {

    /** A short name for messages, e.g. "in-process". */
    String name();

    /**
     * Opens an engine.
     *
     * @param model  the model to serve (a GGUF path or a model name): {@code start --model},
     *               else the config's {@code engine.model}; null when neither is set
     * @param config the node's config (read-only use)
     * @throws io.infernet.engines.EngineException or IllegalArgumentException with a message for the user
     */
    Engine open(String model, NodeConfig config);

    /** The first factory on the class path, if any. */
    static Optional<EngineFactory> find() {
        return ServiceLoader.load(EngineFactory.class).findFirst();
    }
}
