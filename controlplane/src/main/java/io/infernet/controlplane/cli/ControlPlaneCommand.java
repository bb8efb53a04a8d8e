package io.infernet.controlplane.cli;

import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.ControlPlaneConfig;
import io.infernet.node.cli.Main;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code infernet control-plane}: runs a self-hosted control plane until stopped. */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
        subcommands = {UserCommand.class},
        description = {"Run a self-hosted Infernet control plane: the node API, an OpenAI-compatible gateway (/v1), ",
                "remote commands, batch jobs and a status page, on PostgreSQL (embedded unless --database-url)."})
public final class ControlPlaneCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "3000", description = "Port to listen on (default ${DEFAULT-VALUE})")
    int port;

    @picocli.CommandLine.Mixin
    DatabaseOptions database;

    @Option(names = "--public-url", paramLabel = "URL", description = "The URL users reach this control plane at (default: http://HOST:PORT)")
    String publicUrl;

    @Option(names = "--queue-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a gateway request waits for a free provider before a 503 (default ${DEFAULT-VALUE})")
    double queueTimeout;

    @Option(names = "--live-window", paramLabel = "SECONDS", defaultValue = "120",
            description = "A provider is routable when seen within this; its unstarted jobs move elsewhere after it (default ${DEFAULT-VALUE})")
    double liveWindow;

    @Option(names = "--delivery-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "An assigned job its provider has not picked up after this moves elsewhere (default ${DEFAULT-VALUE})")
    double deliveryTimeout;

    @Option(names = "--payment-offer", paramLabel = "AMOUNT", defaultValue = "0",
            description = "What each gateway chat job pays its provider (default 0: no payment record, as the reference)")
    BigDecimal paymentOffer;

    @Option(names = "--payment-coin", paramLabel = "COIN", defaultValue = "USDC", description = "Coin of --payment-offer (default ${DEFAULT-VALUE})")
    String paymentCoin;

    private final CountDownLatch stop = new CountDownLatch(1);

    ControlPlaneConfig config() {
        try {
            return ControlPlaneConfig.defaults().withListen(host, port)
                    .withDatabase(database.url(), database.dir())
                    .withPublicUrl(publicUrl)
                    .withTimings(seconds(liveWindow, "--live-window"), seconds(deliveryTimeout, "--delivery-timeout"),
                            seconds(queueTimeout, "--queue-timeout"))
                    .withPayment(paymentOffer, paymentCoin.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
    }

    /** Libraries' chatter (migrations applied, pool started, the database's own log) only when it is a warning. */
    static void quietLibraries() {
        for (String name : new String[] {"org.flywaydb", "com.zaxxer.hikari", "io.zonky"}) {
            java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
            l.setLevel(java.util.logging.Level.WARNING);
            LOGGERS.add(l); // held: java.util.logging keeps loggers weakly
        }
    }

    private static final java.util.List<java.util.logging.Logger> LOGGERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        quietLibraries();
        ControlPlaneConfig cfg = config();
        ControlPlane cp = ControlPlane.start(cfg);
        Thread hook = Thread.ofPlatform().name("infernet-cp-shutdown").unstarted(cp::close);
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        out.println("control plane on " + cp.baseUrl());
        out.println("  database: " + cp.databaseDescription());
        out.println("  gateway:  " + cp.baseUrl() + "/v1 (OpenAI-compatible)");
        out.println("  status:   " + cp.baseUrl() + "/status");
        out.println("  nodes:    infernet init --url " + cp.baseUrl() + " && infernet start");
        out.println("Ctrl-C stops it");
        out.flush();
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return 0;
        }
        cp.close();
        return 0;
    }

    static Duration seconds(double s, String option) {
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException(option + " must be a number of seconds > 0, got " + s);
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

}
