package io.infernet.controlplane.cli;

import io.infernet.node.cli.CliExtension;
import java.util.List;

/** Adds {@code infernet control-plane} to the node's command line (found with ServiceLoader). */
public final class ControlPlaneCliExtension implements CliExtension {
    @Override
    public List<Object> subcommands() {
        return List.of(new ControlPlaneCommand());
    }
}
