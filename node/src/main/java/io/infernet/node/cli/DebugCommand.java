package io.infernet.node.cli;

import io.infernet.engines.Json;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.outbox.Outbox;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code infernet debug}: paths, the config with secrets redacted, and the outbox. */
@Command(name = "debug", mixinStandardHelpOptions = true, description = "Show paths, the config (secrets redacted) and local state.")
final class DebugCommand implements Callable<Integer> {

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var paths = ctx.paths();
        NodeConfig config = ctx.store().load().orElse(null);
        out.println("config file:   " + paths.configFile() + (config == null ? " (missing: run 'infernet init')" : ""));
        out.println("outbox:        " + paths.outboxFile() + " (" + outboxSize(paths.outboxFile()) + ")");
        out.println("models:        " + (config == null ? paths.defaultModelsDir() : ctx.modelStore(config).dir()));
        out.println("engine:        " + (config == null ? "auto" : config.engineBackend().orElse("auto"))
                + " (model: " + (config == null ? "none" : config.engineModel().orElse("none")) + ")");
        out.println("java:          " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
        if (config != null) {
            out.println("config (secrets redacted):");
            out.print(Json.pretty(config.redacted()));
        }
        out.flush();
        return 0;
    }

    private static String outboxSize(java.nio.file.Path file) {
        if (!Files.exists(file)) {
            return "empty";
        }
        try {
            return Outbox.pendingCount(file) + " pending";
        } catch (RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }
}
