package io.infernet.node.cli;

import io.infernet.engines.Engine;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.engines.inprocess.InProcessOptions;
import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.config.ConfigStore;
import io.infernet.node.protocol.config.NodeConfig;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.RuntimeDeviceSource;
import io.infernet.node.protocol.daemon.HardwareSpecsProvider;
import io.infernet.node.protocol.daemon.DaemonSettings;
import io.infernet.node.protocol.daemon.NodeDaemon;
import io.infernet.node.protocol.daemon.SpecsProvider;
import io.infernet.node.protocol.models.GgufFullCheck;
import io.infernet.node.protocol.models.ModelDownloader;
import io.infernet.node.protocol.outbox.Outbox;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import io.infernet.engines.select.EngineSelector;
import io.infernet.engines.select.EngineSetting;
import io.infernet.engines.select.Selection;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code infernet start}: runs the node until SIGINT/SIGTERM (a JVM shutdown hook closes the
 * daemon, which sends the last {@code offline} heartbeat). The engine is selected as for
 * {@code serve}: in process by default, with the same options.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Run the provider node: register, heartbeat, take jobs and commands until stopped (Ctrl-C).")
final class StartCommand implements Callable<Integer> {

    @Mixin
    NodeContext ctx;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model to serve (default: engine.model from the config)")
    String model;

    @Option(names = "--engine", paramLabel = "KIND",
            description = "in-process, vllm, llamacpp or ollama (default: the config's engine.backend; else in-process for a .gguf --model; else the first that answers, in-process last)")
    String engineKind;

    @Option(names = "--engine-url", paramLabel = "URL", description = "Where the --engine server listens (default: the config's engine.url, its environment variable or port)")
    String engineUrl;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Jobs run at once (default 4)")
    int concurrency;

    @Option(names = "--no-advertise", description = "Never send this node's address and port (overrides the config)")
    boolean noAdvertise;

    @Mixin
    InProcessEngineOptions engineOptions = new InProcessEngineOptions();

    /** Opens the in-process engine; tests put their own here. */
    Function<InProcessOptions, Engine> inProcess = InProcessEngine::open;

    @Option(names = "--heartbeat-every", paramLabel = "SECONDS", hidden = true,
            description = "Heartbeat period (default 30, as the reference's node); tests against a control plane with a short live window use less")
    Double heartbeatEvery;
    /** Set by tests; null means the machine's detected hardware ({@link HardwareSpecsProvider}). */
    SpecsProvider specs;
    private final CountDownLatch stop = new CountDownLatch(1);

    StartCommand() {}

    StartCommand(Function<InProcessOptions, Engine> inProcess, SpecsProvider specs) {
        this.inProcess = inProcess;
        this.specs = specs;
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure();
        NodeConfig config = ctx.load();
        ControlPlaneClient client = ctx.client(config);
        DaemonSettings settings;
        try {
            settings = ctx.settings(config, noAdvertise).withConcurrencyCap(concurrency);
            if (heartbeatEvery != null) {
                if (!(heartbeatEvery > 0)) {
                    throw new IllegalArgumentException("--heartbeat-every must be > 0 seconds");
                }
                settings = settings.withIntervals(java.time.Duration.ofMillis(Math.round(heartbeatEvery * 1000)),
                        settings.jobPollEvery(), settings.commandPollEvery());
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        String m = model != null ? model : config.engineModel().orElse(null);
        boolean ggufPath = m != null && m.endsWith(".gguf");
        InProcessOptions options = engineOptions.toOptions(m == null || m.isBlank() ? null : Path.of(m));
        EngineSetting setting;
        try {
            String kind = engineKind != null ? engineKind : config.engineBackend().orElse(ggufPath ? "in-process" : null);
            setting = EngineSetting.parse(kind, engineKind != null ? engineUrl : config.engineUrl().orElse(engineUrl), null, ggufPath ? null : m);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        ConfigStore store = ctx.store();
        // The outbox first: it refuses a second node on this config folder before a model is loaded.
        Outbox outbox = Outbox.open(ctx.paths().outboxFile());
        Engine engine;
        NodeDaemon daemon;
        try {
            Selection chosen = EngineSelector.system(Set.of()).select(setting, () -> inProcess.apply(options),
                    m != null ? "in process, " + m : "in process, the built-in demo model (random weights)");
            for (String line : EnginesCommand.text(chosen.report())) {
                System.err.println("[infernet] " + line);
            }
            engine = chosen.engine();
        } catch (RuntimeException e) {
            outbox.close();
            throw e;
        }
        try {
            daemon = new NodeDaemon(settings, client, engine, specs != null ? specs : new HardwareSpecsProvider(HardwareProbe.system(new RuntimeDeviceSource())),
                    ctx.modelStore(config), ModelDownloader.standard(new GgufFullCheck()), outbox, Clock.systemUTC(),
                    r -> saveServerId(store, r.id()));
        } catch (RuntimeException e) {
            outbox.close();
            engine.close();
            throw e;
        }
        Thread hook = Thread.ofPlatform().name("infernet-shutdown").unstarted(() -> shutdown(daemon, engine));
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        try {
            daemon.start();
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            engine.close();
            throw e;
        }
        out.println("node " + settings.provider().nodeId() + " is running with the " + engine.kind() + " engine; Ctrl-C stops it");
        out.flush();
        stop.await();
        // Stopped by stop() (tests) rather than a signal: shut down here.
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return 0; // the hook runs (or ran) the shutdown
        }
        shutdown(daemon, engine);
        return 0;
    }

    /** Ends {@link #call()} as a signal would (tests). */
    void stop() {
        stop.countDown();
    }

    private static void shutdown(NodeDaemon daemon, Engine engine) {
        daemon.close();
        engine.close();
    }

    private static synchronized void saveServerId(ConfigStore store, com.fasterxml.jackson.databind.JsonNode id) {
        try {
            NodeConfig c = store.load().orElse(null);
            if (c != null && !id.equals(c.serverId().orElse(null))) {
                c.setServerId(id);
                store.save(c);
            }
        } catch (RuntimeException e) {
            System.getLogger("infernet.cli").log(System.Logger.Level.WARNING, "could not save node.id: {0}", e.getMessage());
        }
    }
}
