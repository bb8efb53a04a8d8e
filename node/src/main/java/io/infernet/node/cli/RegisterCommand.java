package io.infernet.node.cli;

import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.Registration;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.RuntimeDeviceSource;
import io.infernet.node.protocol.daemon.HardwareSpecsProvider;
import io.infernet.node.protocol.daemon.DaemonSettings;
import io.infernet.node.protocol.daemon.NodeBodies;
import io.infernet.node.protocol.jobs.BenchWindow;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infernet register}: registers the node once (without an engine: no served models yet)
 * and saves node.id. It sends the address but no port: nothing listens on the peer port until
 * {@code infernet start} does, whose heartbeats then advertise it.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Register this node with the control plane and save its row id.")
final class RegisterCommand extends ConfiguredCommand {

    @Option(names = "--price", paramLabel = "N", description = "Price offer (default: node.price from the config, else none)")
    Double price;

    @Option(names = "--gpu-model", paramLabel = "NAME", description = "GPU model (default: node.gpuModel, else the first detected GPU)")
    String gpuModel;

    @Override
    void run(NodeConfig config, PrintWriter out) {
        ControlPlaneClient client = ctx.client(config);
        DaemonSettings settings;
        try {
            settings = ctx.settings(config, false);
            settings = settings.withAdvertised(settings.address(), null)
                    .withOffer(price != null ? price : config.price().orElse(null), gpuModel != null ? gpuModel : config.gpuModel().orElse(null));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        NodeBodies bodies = new NodeBodies(settings, new HardwareSpecsProvider(HardwareProbe.system(new RuntimeDeviceSource())), null, null,
                new BenchWindow(Duration.ofHours(1), 1), Clock.systemUTC());
        Registration r = client.register(bodies.register());
        config.setServerId(r.id());
        ctx.store().save(config);
        out.println("registered " + (r.nodeId() != null ? r.nodeId() : settings.provider().nodeId())
                + " with " + client.baseUrl() + " (row " + (r.id() == null ? "?" : r.id().asText()) + ")");
    }
}
