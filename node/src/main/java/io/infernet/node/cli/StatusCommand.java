package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code infernet status}: the local identity and what the control plane knows about this node. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show this node's identity and its row on the control plane.")
final class StatusCommand extends ConfiguredCommand {

    @Override
    void run(NodeConfig config, PrintWriter out) {
        var key = config.key(ctx.store().file());
        out.println("config:        " + ctx.store().file());
        out.println("node id:       " + config.nodeId().orElse("?"));
        out.println("role:          " + ctx.role(config));
        out.println("name:          " + config.name().orElse("?"));
        out.println("public key:    " + key.publicKeyHex());
        out.println("control plane: " + config.controlPlaneUrl().orElse("(none)"));
        out.flush();
        JsonNode row = ctx.client(config).me(ctx.role(config));
        if (row == null) {
            out.println("registered:    no (run 'infernet register' or 'infernet start')");
        } else {
            out.println("registered:    yes");
            out.print(Json.pretty(row));
        }
    }
}
