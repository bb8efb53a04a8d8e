package io.infernet.node.cli;

import io.infernet.node.protocol.config.NodeConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code infernet pubkey}: prints the node's public key (64 hex). */
@Command(name = "pubkey", mixinStandardHelpOptions = true, description = "Print this node's public key (x-only secp256k1, 64 hex).")
final class PubkeyCommand implements Callable<Integer> {

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        NodeConfig config = ctx.load();
        spec.commandLine().getOut().println(config.key(ctx.store().file()).publicKeyHex());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
