package io.infernet.node.cli;

import io.infernet.node.protocol.account.AccountClient;
import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet pubkey}: prints the node's public key (64 hex); {@code infernet pubkey link}
 * binds it to the signed-in account, as the reference's (apps/cli/commands/pubkey.js): a POST
 * carrying both the bearer token ({@code infernet login}) and the node's signature, so that the
 * account's owner can send this node remote commands (model installs) from the dashboard.
 */
@Command(name = "pubkey", mixinStandardHelpOptions = true, description = "Print this node's public key (x-only secp256k1, 64 hex).",
        subcommands = PubkeyCommand.Link.class)
final class PubkeyCommand extends ConfiguredCommand {

    private static final Set<String> ROLES = Set.of("provider", "aggregator", "client");

    @Override
    void run(NodeConfig config, PrintWriter out) {
        out.println(config.key(ctx.store().file()).publicKeyHex());
    }

    @Command(name = "link", mixinStandardHelpOptions = true,
            description = "Link this node's pubkey to the account you signed in with (infernet login), so that you can send it remote commands.")
    static final class Link extends ConfiguredCommand {

        @Option(names = "--role", paramLabel = "ROLE", description = "provider, aggregator or client (default: node.role)")
        String role;

        @Option(names = "--label", paramLabel = "NAME", description = "A label for this node on your account (default: node.name)")
        String label;

        @Override
        void run(NodeConfig config, PrintWriter out) {
            link(ctx, config, role, label, out, false);
        }
    }

    /**
     * Links this node's pubkey to the signed-in account.
     *
     * @param afterLogin true when run by {@code infernet login}: a failure is then reported, not thrown
     */
    static void link(NodeContext ctx, NodeConfig config, String roleOption, String labelOption, PrintWriter out, boolean afterLogin) {
        String role = (roleOption != null ? roleOption : ctx.role(config)).toLowerCase(Locale.ROOT);
        if (!ROLES.contains(role)) {
            throw new Main.UsageError("--role must be provider, aggregator or client, got '" + role + "'");
        }
        NodeConfig.Auth auth = config.auth().orElseThrow(() -> new Main.UsageError("not signed in: run 'infernet login' first"));
        String label = labelOption != null ? labelOption : config.name().orElse(null);
        String pubkey = config.key(ctx.store().file()).publicKeyHex();
        try {
            AccountClient.Link l = new AccountClient(ctx.client(config)).linkPubkey(auth.bearerToken(), role, label);
            out.println(l.created()
                    ? "linked " + role + " pubkey " + pubkey.substring(0, 12) + "... to your account"
                    : "already linked" + (l.label() != null ? " (label: " + l.label() + ")" : ""));
        } catch (AccountClient.AccountException e) {
            if (!afterLogin) {
                throw new Main.CommandFailure(e.getMessage());
            }
            out.println("could not link this node's pubkey (" + e.getMessage() + "); run 'infernet pubkey link' to try again");
        }
    }
}
