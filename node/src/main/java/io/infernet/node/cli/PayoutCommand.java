package io.infernet.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.payouts.PayoutCoin;
import io.infernet.node.protocol.payouts.PayoutTarget;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code infernet payout set|list}: where this node's earnings are paid. */
@Command(name = "payout", mixinStandardHelpOptions = true,
        description = "Manage payout addresses.",
        subcommands = {PayoutCommand.Set.class, PayoutCommand.List.class})
final class PayoutCommand extends CommandGroup {

    static String coins() {
        return Arrays.stream(PayoutCoin.values())
                .map(c -> c.name() + " (" + String.join("|", c.networks()) + ")")
                .collect(Collectors.joining(", "));
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Set the payout address for a coin (it becomes the default). Coins: BTC, BCH, ETH, SOL, POL, BNB, XRP, ADA, DOGE, USDT, USDC.")
    static final class Set extends ConfiguredCommand {
        @Parameters(index = "0", paramLabel = "COIN", description = "Coin symbol, any case")
        String coin;

        @Parameters(index = "1", paramLabel = "ADDRESS", description = "Address on the chosen network")
        String address;

        @Option(names = "--network", paramLabel = "N", description = "Network (default: the coin's first; USDT: ethereum|polygon|solana, USDC: ethereum|polygon|solana|base)")
        String network;

        private PayoutTarget target;

        @Override
        void validate() {
            try {
                target = PayoutTarget.of(coin, network, address);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageError(e.getMessage());
            }
        }

        @Override
        void run(NodeConfig config, PrintWriter out) {
            PayoutTarget t = target;
            JsonNode row = ctx.client(config).setPayout(t.coin().name(), t.network(), t.address());
            out.println("payout set: " + t.coin().name() + " on " + t.network() + " -> " + t.address());
            if (row != null && !row.isNull()) {
                out.print(Json.pretty(row));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the payout addresses.")
    static final class List extends ConfiguredCommand {
        @Override
        void run(NodeConfig config, PrintWriter out) {
            JsonNode rows = ctx.client(config).listPayouts();
            if (rows.isEmpty()) {
                out.println("no payout addresses; set one with 'infernet payout set COIN ADDRESS'");
            }
            for (JsonNode r : rows) {
                boolean def = r.path("is_default").asBoolean(false);
                out.printf("%-5s %-13s %s%s%n", r.path("coin").asText("?"), r.path("network").asText("?"),
                        r.path("address").asText("?"), def ? "  (default)" : "");
            }
        }
    }
}
