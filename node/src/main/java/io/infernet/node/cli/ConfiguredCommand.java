package io.infernet.node.cli;

import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * A command that acts on this node's config ({@code infernet init} made it): the shared options,
 * the config loaded (a clear error when there is none), and its output flushed at the end.
 */
abstract class ConfiguredCommand implements Callable<Integer> {

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Checks the options before the config is read; throws {@link Main.UsageError} naming the bad one. */
    void validate() {}

    /** Does the work, printing to {@code out}. */
    abstract void run(NodeConfig config, PrintWriter out);

    @Override
    public final Integer call() {
        validate();
        NodeConfig config = ctx.load();
        PrintWriter out = spec.commandLine().getOut();
        try {
            run(config, out);
        } finally {
            out.flush();
        }
        return 0;
    }
}
