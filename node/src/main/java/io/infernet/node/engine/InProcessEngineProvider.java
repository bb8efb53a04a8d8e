package io.infernet.node.engine;

import io.infernet.engines.Engine;
import io.infernet.node.cli.EngineOptions;
import io.infernet.node.cli.EngineProvider;

/** {@code infernet serve}'s engine: in process. */
public final class InProcessEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return "in-process";
    }

    @Override
    public Engine open(EngineOptions o) {
        return InProcessEngines.open(o.model(), o.parallel(), o.contextSize(), o.threads(), o.cacheRamMiB() << 20, o.maxQueue(), o.kvUnified());
    }
}
