package io.infernet.node.cli;

import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.config.ConfigStore;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.config.NodePaths;
import io.infernet.node.protocol.daemon.DaemonSettings;
import io.infernet.node.protocol.jobs.ProviderInfo;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.models.ModelStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * What the protocol commands share: {@code --config-dir}, the config file and a signed client.
 * Used as a picocli mixin.
 */
final class NodeContext {

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Folder of config.json and the outbox (default: $INFERNET_CONFIG_DIR, $XDG_CONFIG_HOME/infernet or ~/.config/infernet)")
    Path configDir;

    NodePaths paths() {
        NodePaths p = NodePaths.fromEnvironment();
        return configDir == null ? p : p.withConfigDir(configDir);
    }

    ConfigStore store() {
        return new ConfigStore(paths().configFile());
    }

    /** The config; a usage error when there is none. */
    NodeConfig load() {
        ConfigStore store = store();
        return store.load().orElseThrow(() -> new Main.UsageError("no config at " + store.file() + ": run 'infernet init' first"));
    }

    ControlPlaneClient client(NodeConfig config) {
        String url = config.controlPlaneUrl().orElseThrow(() ->
                new Main.UsageError("no controlPlane.url in " + store().file() + ": run 'infernet init --url URL'"));
        ControlPlaneClient.Idempotency keys = config.idempotencyKeys()
                .map(on -> on ? ControlPlaneClient.Idempotency.ON : ControlPlaneClient.Idempotency.OFF)
                .orElse(ControlPlaneClient.Idempotency.AUTO);
        return ControlPlaneClient.create(url, new EnvelopeSigner(config.key(store().file()))).withIdempotency(keys);
    }

    String role(NodeConfig config) {
        return config.role().orElse("provider");
    }

    /** Daemon settings from the config; {@code noAdvertise} forces address and port off. */
    DaemonSettings settings(NodeConfig config, boolean noAdvertise) {
        String nodeId = config.nodeId().orElseThrow(() ->
                new Main.UsageError("no node.nodeId in " + store().file() + ": run 'infernet init'"));
        String address = noAdvertise ? null : config.address().orElse(null);
        Integer port = noAdvertise ? null : config.port().orElse(null);
        try {
            return DaemonSettings.defaults(role(config), new ProviderInfo(nodeId, config.name().orElse(nodeId)),
                    address, port, address != null || port != null);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError("bad config " + store().file() + ": " + e.getMessage());
        }
    }

    ModelStore modelStore(NodeConfig config) {
        String env = System.getenv("INFERNET_MODELS_DIR");
        if (env != null && !env.isBlank()) {
            return new ModelStore(Path.of(env));
        }
        return new ModelStore(config.modelsDir().orElse(paths().defaultModelsDir()));
    }
}
