package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code infernet remove}: deletes this node's row on the control plane (the local identity stays). */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove this node from the control plane (keeps the local config).")
final class RemoveCommand implements Callable<Integer> {

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        NodeConfig config = ctx.load();
        JsonNode d = ctx.client(config).remove(ctx.role(config));
        config.setServerId(null);
        ctx.store().save(config);
        PrintWriter out = spec.commandLine().getOut();
        boolean deleted = d.path("deleted").asBoolean(false);
        out.println(deleted ? "removed " + config.nodeId().orElse("this node") + " from the control plane"
                : "the control plane had no row for " + config.nodeId().orElse("this node"));
        out.flush();
        return 0;
    }
}
