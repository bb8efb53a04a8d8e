package io.infernet.node.protocol.daemon;

import io.infernet.node.protocol.client.ControlPlaneClient;
import io.infernet.node.protocol.client.Registration;
import io.infernet.node.protocol.client.RetryPolicy;
import io.infernet.node.protocol.envelope.EnvelopeSigner;
import io.infernet.node.protocol.identity.NodeKey;
import io.infernet.node.protocol.jobs.BatchPolicy;
import io.infernet.node.protocol.jobs.ProviderInfo;
import io.infernet.node.protocol.models.GgufHeaderCheck;
import io.infernet.node.protocol.models.ModelDownloader;
import io.infernet.node.protocol.models.ModelHost;
import io.infernet.node.protocol.models.OllamaRegistry;
import java.net.URI;
import java.util.Map;
import io.infernet.node.protocol.models.ModelStore;
import io.infernet.node.protocol.outbox.Outbox;
import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeEngine;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A daemon wired to a loopback control plane and a fake engine, with short intervals. */
final class DaemonHarness {

    final FakeControlPlane cp;
    final FakeEngine engine;
    final NodeKey key;
    final Path dir;
    final ModelStore store;
    final List<Registration> registrations = new CopyOnWriteArrayList<>();
    /** How the daemon's client takes the control plane's idempotency (as {@code controlPlane.idempotencyKeys}). */
    ControlPlaneClient.Idempotency idempotency = ControlPlaneClient.Idempotency.AUTO;
    /** Where Ollama names are fetched from (a registry stand-in), or null for https://host. */
    String registryRoot;

    DaemonHarness(FakeControlPlane cp, FakeEngine engine, Path dir) {
        this(cp, engine, dir, NodeKey.generate(new SecureRandom()));
    }

    DaemonHarness(FakeControlPlane cp, FakeEngine engine, Path dir, NodeKey key) {
        this.cp = cp;
        this.engine = engine;
        this.dir = dir;
        this.key = key;
        this.store = new ModelStore(dir.resolve("models"));
    }

    DaemonSettings settings(boolean advertise) {
        return new DaemonSettings("provider", new ProviderInfo("provider-" + key.publicKeyHex().substring(0, 8), "test-node"),
                "203.0.113.7", 46337, advertise,
                Duration.ofMillis(150), Duration.ofMillis(100), Duration.ofMillis(100), 2, List.of("A"),
                new BatchPolicy(16, Duration.ofMillis(50), 200),
                new RetryPolicy(1, Duration.ofMillis(50), Duration.ofMillis(200)), Duration.ofSeconds(5), null, null);
    }

    ControlPlaneClient client() {
        return new ControlPlaneClient(cp.url(), new EnvelopeSigner(key), ControlPlaneClient.defaultHttpClient(),
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofSeconds(2)).withIdempotency(idempotency);
    }

    NodeDaemon daemon(DaemonSettings settings) {
        return daemon(settings, engine);
    }

    /** A daemon serving {@code with} instead of the harness's fake engine. */
    NodeDaemon daemon(DaemonSettings settings, io.infernet.engines.Engine with) {
        ModelDownloader downloader = new ModelDownloader(ModelDownloader.defaultHttpClient(), new GgufHeaderCheck(),
                Duration.ZERO, Duration.ofMillis(500), Map.of());
        OllamaRegistry registry = new OllamaRegistry(downloader.http(),
                host -> URI.create(registryRoot != null ? registryRoot : "https://" + host), Map.of());
        return new NodeDaemon(settings, client(), with, new BasicSpecsProvider(), ModelHost.of(with, store, downloader, registry),
                Outbox.open(dir.resolve("outbox.jsonl")), Clock.systemUTC(), registrations::add);
    }

    /** Waits up to 30 s for {@code condition}; the failure names {@code what}. */
    static void await(String what, java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).alias(what).until(condition::getAsBoolean);
    }
}
