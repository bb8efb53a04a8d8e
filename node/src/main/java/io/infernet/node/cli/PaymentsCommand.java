package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infernet payments}: recent payouts to this node, newest first, one JSON object per line. */
@Command(name = "payments", mixinStandardHelpOptions = true, description = "List recent payments to this node (newest first).")
final class PaymentsCommand extends ConfiguredCommand {

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "How many (1..100, default 20)")
    int limit;

    @Override
    void validate() {
        if (limit < 1 || limit > 100) {
            throw new Main.UsageError("--limit must be in 1..100, got " + limit);
        }
    }

    @Override
    void run(NodeConfig config, PrintWriter out) {
        JsonNode rows = ctx.client(config).listPayments(ctx.role(config), limit);
        if (rows.isEmpty()) {
            out.println("no payments yet");
        }
        for (JsonNode r : rows) {
            out.println(Json.compact(r));
        }
    }
}
