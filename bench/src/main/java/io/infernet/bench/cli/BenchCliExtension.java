package io.infernet.bench.cli;

import io.infernet.node.cli.CliExtension;
import java.util.List;

/** Adds {@code infernet bench} to the node's command line (found with ServiceLoader). */
public final class BenchCliExtension implements CliExtension {
    @Override
    public List<Object> subcommands() {
        return List.of(new BenchCommand());
    }
}
