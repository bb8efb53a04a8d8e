package io.infernet.node.cli;

import io.infernet.node.protocol.config.NodeConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code infernet pubkey}: prints the node's public key (64 hex). */
@Command(name = "pubkey", mixinStandardHelpOptions = true, description = "Print this node's public key (x-only secp256k1, 64 hex).")
final class PubkeyCommand extends ConfiguredCommand {

    @Override
    void run(NodeConfig config, PrintWriter out) {
        out.println(config.key(ctx.store().file()).publicKeyHex());
    }
}
