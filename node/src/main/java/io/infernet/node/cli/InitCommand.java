package io.infernet.node.cli;

import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.network.AddressDetector;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.node.protocol.identity.NodeKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infernet init}: writes the config with a node identity. On an existing config it
 * updates the given settings and keeps the identity unless {@code --force}.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create or update the node config (identity, control plane, role, advertised address).")
final class InitCommand implements Callable<Integer> {

    static final String DEFAULT_URL = "https://infernetprotocol.com";
    private static final Set<String> ROLES = Set.of("provider", "aggregator", "client");

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", description = "Control plane URL (default: the current one, else " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--role", paramLabel = "ROLE", description = "provider (default), aggregator or client")
    String role;

    @Option(names = "--name", paramLabel = "NAME", description = "Display name (default: the host name)")
    String name;

    @Option(names = "--no-advertise", description = "Never publish this node's address and port")
    boolean noAdvertise;

    @Option(names = "--address", paramLabel = "HOST",
            description = "Address to advertise (default: $INFERNET_PUBLIC_ADDRESS, else a public, then a private address of a real interface; container bridges are skipped)")
    String address;

    @Option(names = "--port", paramLabel = "PORT", description = "Port to advertise (default 46337)")
    Integer port;

    @Option(names = "--nostr-privkey", paramLabel = "HEX",
            description = "Use this secp256k1 private key (64 hex) instead of a new one; '-' reads it from stdin")
    String privkey;

    @Option(names = "--force", description = "Replace the identity of an existing config")
    boolean force;

    @Override
    public Integer call() throws IOException {
        var store = ctx.store();
        NodeConfig config = store.load().orElse(null);
        boolean fresh = config == null;
        if (fresh) {
            config = NodeConfig.empty();
        }
        if (role != null && !ROLES.contains(role)) {
            throw new Main.UsageError("--role must be provider, aggregator or client, got '" + role + "'");
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new Main.UsageError("--port must be in 1..65535, got " + port);
        }
        if (noAdvertise && (address != null || port != null)) {
            throw new Main.UsageError("--no-advertise cannot be combined with --address or --port");
        }
        NodeKey given = privkey == null ? null : readKey(privkey);
        NodeKey existing = null;
        if (config.hasKey()) {
            try {
                existing = config.key(store.file());
            } catch (IllegalStateException broken) {
                if (!force) {
                    throw new Main.UsageError(broken.getMessage());
                }
            }
        }
        NodeKey key;
        if (existing != null && !force) {
            if (given != null && !given.sameKey(existing)) {
                throw new Main.UsageError(store.file() + " already holds another identity (" + existing.publicKeyHex()
                        + "); use --force to replace it");
            }
            key = existing;
        } else {
            key = given != null ? given : NodeKey.generate(new SecureRandom());
        }
        boolean newIdentity = existing == null || !existing.sameKey(key);

        String u = url != null ? url : config.controlPlaneUrl().orElse(DEFAULT_URL);
        try {
            config.setControlPlaneUrl(ControlPlaneClient.checkBaseUrl(u));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        // Set in the order PROTOCOL.md lists the fields (existing fields keep their place).
        String r = role != null ? role : config.role().orElse("provider");
        if (newIdentity) {
            config.setServerId(null);
        }
        config.setNodeId(r + "-" + key.publicKeyHex().substring(0, 8));
        config.setRole(r);
        config.setName(name != null ? name : config.name().orElseGet(InitCommand::hostName));
        config.setKey(key);
        if (noAdvertise) {
            config.setAdvertised(null, null);
        } else if (fresh || force || address != null || port != null) {
            String a = address != null ? address : config.address().orElseGet(InitCommand::detectAddress);
            int p = port != null ? port : config.port().orElse(NodeConfig.DEFAULT_PORT);
            config.setAdvertised(a, p);
        }
        store.save(config);

        PrintWriter out = spec.commandLine().getOut();
        out.println((fresh ? "created " : "updated ") + store.file());
        out.println("node id:       " + config.nodeId().orElseThrow() + (newIdentity ? " (new identity)" : ""));
        out.println("public key:    " + key.publicKeyHex());
        out.println("control plane: " + config.controlPlaneUrl().orElseThrow());
        out.println("advertise:     " + (config.address().isEmpty() && config.port().isEmpty()
                ? "no (--no-advertise)" : config.address().orElse("?") + ":" + config.port().map(String::valueOf).orElse("?")));
        out.flush();
        return 0;
    }

    private NodeKey readKey(String value) throws IOException {
        String hex = value;
        if (value.equals("-")) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            hex = line == null ? "" : line.trim();
        }
        try {
            return NodeKey.fromHex(hex.trim(), "--nostr-privkey");
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    static String hostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() ? "infernet-node" : h;
        } catch (IOException e) {
            return "infernet-node";
        }
    }

    /** The address {@link AddressDetector} finds (environment override, then real interfaces; never a container bridge), or null. */
    static String detectAddress() {
        AddressDetector.Detected d = AddressDetector.system();
        if (d.kind() == AddressDetector.Kind.ONLY_CONTAINER_BRIDGE) {
            System.err.println("infernet: only a container bridge address (" + d.source() + ") was found, which nobody outside can reach;"
                    + " set INFERNET_PUBLIC_ADDRESS or pass --address");
        }
        return d.address();
    }
}
