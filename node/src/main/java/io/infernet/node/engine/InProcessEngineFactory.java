package io.infernet.node.engine;

import io.infernet.engines.Engine;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.daemon.EngineFactory;
import java.nio.file.Path;

/**
 * {@code infernet start}'s engine: in process, serving the model given by {@code --model} or
 * the config's {@code engine.model} (a GGUF path), else the demo model. Jobs run four at a time.
 */
public final class InProcessEngineFactory implements EngineFactory {
    @Override
    public String name() {
        return "in-process";
    }

    @Override
    public Engine open(String model, NodeConfig config) {
        Path file = model == null || model.isBlank() ? null : Path.of(model);
        return InProcessEngines.open(file, 4, 0, 0, 512L << 20, 64, false);
    }
}
