package io.infernet.engines.select;

import io.infernet.engines.Engine;
import java.util.Objects;

/** The engine chosen (owned by the caller, who closes it) and how it was chosen. */
public record Selection(Engine engine, SelectionReport report) {
    public Selection {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(report, "report");
    }
}
