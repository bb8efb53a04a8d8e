package io.infernet.node.cli;

import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Health;
import io.infernet.engines.ModelInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one model ({@code stub-model}), answers health, refuses generation and embeddings:
 * enough to see the CLI's wiring. A test that needs generations overrides {@link #generate}.
 */
class StubEngine implements Engine {
    final AtomicBoolean closed = new AtomicBoolean();
    private final int contextLength;

    StubEngine() {
        this(0);
    }

    /** @param contextLength the context {@code stub-model} is listed with, in tokens (0: unknown) */
    StubEngine(int contextLength) {
        this.contextLength = contextLength;
    }

    @Override
    public String kind() {
        return "stub";
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        throw new EngineException(EngineException.Kind.UNAVAILABLE, "stub");
    }

    @Override
    public io.infernet.engines.Embeddings embed(String model, List<String> inputs) {
        throw new EngineException(EngineException.Kind.UNSUPPORTED, "stub");
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(new ModelInfo("stub-model", "stub", contextLength, false));
    }

    @Override
    public Health health() {
        return Health.up("ok", Duration.ZERO);
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
