package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code infernet remove}: deletes this node's row on the control plane (the local identity stays). */
@Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove this node from the control plane (keeps the local config).")
final class RemoveCommand extends ConfiguredCommand {

    @Override
    void run(NodeConfig config, PrintWriter out) {
        JsonNode d = ctx.client(config).remove(ctx.role(config));
        config.setServerId(null);
        ctx.store().save(config);
        boolean deleted = d.path("deleted").asBoolean(false);
        out.println(deleted ? "removed " + config.nodeId().orElse("this node") + " from the control plane"
                : "the control plane had no row for " + config.nodeId().orElse("this node"));
    }
}
