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
import io.infernet.node.protocol.models.ModelHost;
import io.infernet.node.protocol.models.ModelStore;
import io.infernet.node.protocol.models.OllamaRegistry;
import io.infernet.node.protocol.network.AddressDetector;
import io.infernet.node.protocol.network.Advertising;
import io.infernet.node.protocol.network.PeerListener;
import io.infernet.node.protocol.outbox.Outbox;
import io.infernet.engines.vllm.RunningVllm;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--model", paramLabel = "PATH",
            description = "GGUF model file to serve (repeatable: the first is the default), or one model name for a vLLM, llama.cpp or Ollama engine "
                    + "(default: engine.model from the config). The models of the node's store (model_install puts them there) are served too.")
    List<String> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "The node's model store: where model_install puts models and whose models are served "
                    + "(default: $INFERNET_MODELS_DIR, the config's models.dir, else the data folder's models/)")
    Path modelsDir;

    @Option(names = "--engine", paramLabel = "KIND",
            description = "in-process, vllm, llamacpp or ollama (default: the config's engine.backend; else in-process for a .gguf --model; else the first that answers, in-process last)")
    String engineKind;

    @Option(names = "--engine-url", paramLabel = "URL", description = "Where the --engine server listens (default: the config's engine.url, its environment variable or port)")
    String engineUrl;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Jobs run at once (default 4)")
    int concurrency;

    @Option(names = "--no-advertise", description = "Never send this node's address and port (overrides the config)")
    boolean noAdvertise;

    @Option(names = "--no-p2p", description = "Listen on no peer port and advertise none (the address is still sent)")
    boolean noP2p;

    @Option(names = "--p2p-port", paramLabel = "PORT",
            description = "Peer port to listen on and advertise (default: $INFERNET_BIND_PORT, else node.port, else 46337; 0 = any free one). "
                    + "$INFERNET_PUBLIC_PORT advertises another port (a NAT's). A port that cannot be bound is not advertised.")
    Integer p2pPort;

    @Option(names = "--price", paramLabel = "N", description = "Price offer sent with the registration (default: node.price from the config, else none)")
    Double price;

    @Option(names = "--gpu-model", paramLabel = "NAME", description = "GPU model sent with the registration (default: node.gpuModel, else the first detected GPU)")
    String gpuModel;

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
        Advertising advertising;
        try {
            settings = ctx.settings(config, noAdvertise).withConcurrencyCap(concurrency)
                    .withOffer(price != null ? price : config.price().orElse(null), gpuModel != null ? gpuModel : config.gpuModel().orElse(null));
            advertising = Advertising.resolve(config.address().orElse(null), config.port().orElse(null), p2pPort, noAdvertise, noP2p,
                    System.getenv(), AddressDetector::system);
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
        List<String> given = !models.isEmpty() ? models : config.engineModel().filter(x -> !x.isBlank()).map(List::of).orElse(List.of());
        List<Path> files = given.stream().filter(x -> x.endsWith(".gguf")).map(Path::of).toList();
        List<String> names = given.stream().filter(x -> !x.endsWith(".gguf")).toList();
        if (names.size() > 1 || !names.isEmpty() && !files.isEmpty()) {
            throw new Main.UsageError("--model: give GGUF files (served in process), or one model name for a vLLM, llama.cpp or Ollama engine, not "
                    + String.join(" and ", given));
        }
        String remoteModel = names.isEmpty() ? null : names.getFirst();
        InProcessOptions options = engineOptions.toOptions(null);
        long budget = engineOptions.modelsMemoryBytes();
        ModelStore modelStore = modelsDir != null ? new ModelStore(modelsDir) : ctx.modelStore(config);
        EngineSetting setting;
        try {
            String kind = engineKind != null ? engineKind : config.engineBackend().orElse(!files.isEmpty() ? "in-process" : null);
            setting = EngineSetting.parse(kind, engineKind != null ? engineUrl : config.engineUrl().orElse(engineUrl), null, remoteModel);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(e.getMessage());
        }
        ConfigStore store = ctx.store();
        // The outbox first: it refuses a second node on this config folder before a model is loaded.
        Outbox outbox = Outbox.open(ctx.paths().outboxFile());
        Engine engine;
        NodeDaemon daemon;
        Selection chosen;
        try {
            List<ModelStore.Entry> stored = modelStore.entries();
            chosen = EngineSelector.system(Set.of()).select(setting, () -> InProcessModels.open(files, stored, options, inProcess, budget),
                    !files.isEmpty() || !stored.isEmpty() ? "in process, " + ServeCommand.describe(files, stored)
                            : "in process, the built-in demo model (random weights)");
            for (String line : EnginesCommand.text(chosen.report())) {
                System.err.println("[infernet] " + line);
            }
            engine = chosen.engine();
        } catch (RuntimeException e) {
            outbox.close();
            throw e;
        }
        settings = settings.withWorkloadClasses(workloadClasses(chosen));
        PeerListener peer = listen(advertising, settings);
        settings = settings.withAdvertised(advertising.address(), peer == null ? null : advertising.listeningOn(peer.port()).advertisedPort());
        try {
            daemon = new NodeDaemon(settings, client, engine, specs != null ? specs : new HardwareSpecsProvider(HardwareProbe.system(new RuntimeDeviceSource())),
                    modelHost(engine, modelStore), outbox, Clock.systemUTC(),
                    r -> saveServerId(store, r.id()));
        } catch (RuntimeException e) {
            outbox.close();
            engine.close();
            closeQuietly(peer);
            throw e;
        }
        Thread hook = Thread.ofPlatform().name("infernet-shutdown").unstarted(() -> shutdown(daemon, engine, peer));
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = spec.commandLine().getOut();
        try {
            daemon.start();
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            engine.close();
            closeQuietly(peer);
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
        shutdown(daemon, engine, peer);
        return 0;
    }

    /** Where model_install and model_remove act for {@code engine}: Ollama's own pulls, the store (in process), or refused. */
    static ModelHost modelHost(Engine engine, ModelStore store) {
        ModelDownloader downloader = ModelDownloader.standard(new GgufFullCheck());
        return ModelHost.of(engine, store, downloader, OllamaRegistry.standard(downloader, System.getenv()));
    }

    /** Ends {@link #call()} as a signal would (tests). */
    void stop() {
        stop.countDown();
    }

    private static void shutdown(NodeDaemon daemon, Engine engine, PeerListener peer) {
        daemon.close();
        engine.close();
        closeQuietly(peer);
    }

    private static void closeQuietly(PeerListener peer) {
        if (peer != null) {
            peer.close();
        }
    }

    /**
     * Listens on the peer port; null when there is none to listen on, or it cannot be bound (then
     * no port is advertised: never one that nothing answers on).
     */
    private static PeerListener listen(Advertising a, DaemonSettings settings) {
        if (a.bindPort() == null) {
            return null;
        }
        try {
            PeerListener p = PeerListener.start(null, a.bindPort(), new PeerListener.Identity(settings.provider().nodeId(), settings.role(),
                    settings.provider().name()), Clock.systemUTC());
            System.err.println("[infernet] peer port " + p.port() + " listening (ping/info); advertised as "
                    + (a.address() == null ? "(no address)" : a.address()) + ":" + a.listeningOn(p.port()).advertisedPort());
            return p;
        } catch (java.io.IOException e) {
            System.err.println("[infernet] cannot listen on peer port " + a.bindPort() + " (" + e.getMessage()
                    + "); no port is advertised (pick another with --p2p-port, or --no-p2p)");
            return null;
        }
    }

    /**
     * A, and B where the engine is a vLLM found running on this machine whose model spans
     * several GPUs (read from its command line: vLLM's API does not say).
     */
    static java.util.List<String> workloadClasses(Selection chosen) {
        if (chosen.report().chosen() != io.infernet.engines.select.EngineKind.VLLM || chosen.report().chosenUrl() == null) {
            return java.util.List.of("A");
        }
        java.net.URI url = java.net.URI.create(chosen.report().chosenUrl());
        if (!isThisMachine(url.getHost())) {
            return java.util.List.of("A");
        }
        int port = url.getPort() > 0 ? url.getPort() : RunningVllm.DEFAULT_PORT;
        return RunningVllm.onPort(port).map(v -> {
            System.err.println("[infernet] vLLM on port " + port + " spans " + v.gpus() + " GPU(s) (tp " + v.tensorParallel() + ", pp "
                    + v.pipelineParallel() + "): workload classes " + String.join(", ", v.workloadClasses()));
            return v.workloadClasses();
        }).orElse(java.util.List.of("A"));
    }

    private static boolean isThisMachine(String host) {
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || java.net.NetworkInterface.getByInetAddress(a) != null;
        } catch (java.io.IOException e) {
            return false;
        }
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
