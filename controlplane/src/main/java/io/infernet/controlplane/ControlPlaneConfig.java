package io.infernet.controlplane;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a control plane runs.
 *
 * @param host            address to listen on
 * @param port            port to listen on (0: any free one)
 * @param databaseUrl     an external PostgreSQL ({@code postgresql://user:pass@host:port/db} or
 *                        {@code jdbc:postgresql://...}), or null for the embedded one in {@code dataDir}
 * @param dataDir         where the embedded PostgreSQL keeps its cluster
 * @param publicUrl       the URL users reach this control plane at (device-code links), or null for http://host:port
 * @param liveWindow      a provider is routable when seen within this; an assigned job whose provider
 *                        was not seen within it is taken back (the reference: 2 minutes)
 * @param deliveryTimeout an assigned job not picked up by its provider within this is taken back
 * @param queueTimeout    how long a gateway request waits in the queue for a free provider before a 503
 * @param longPollMax     the longest wait granted to a {@code jobs/poll} long-poll
 * @param paymentOffer    what each gateway chat job offers its provider (0: no payment record, as the reference)
 * @param paymentCoin     the coin of that offer
 * @param poolSize        database connections
 */
public record ControlPlaneConfig(String host, int port, String databaseUrl, Path dataDir, String publicUrl,
                                 Duration liveWindow, Duration deliveryTimeout, Duration queueTimeout, Duration longPollMax,
                                 BigDecimal paymentOffer, String paymentCoin, int poolSize) {

    public ControlPlaneConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        for (Duration d : new Duration[] {liveWindow, deliveryTimeout, queueTimeout, longPollMax}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be > 0");
            }
        }
        if (paymentOffer.signum() < 0) {
            throw new IllegalArgumentException("the payment offer must be >= 0");
        }
        if (poolSize < 2) {
            throw new IllegalArgumentException("the pool needs at least 2 connections");
        }
    }

    /** The default data folder: {@code $XDG_DATA_HOME/infernet/control-plane} or {@code ~/.local/share/infernet/control-plane}. */
    public static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("infernet").resolve("control-plane");
    }

    /** 127.0.0.1:3000, the embedded database in the default folder, the reference's timings. */
    public static ControlPlaneConfig defaults() {
        return new ControlPlaneConfig("127.0.0.1", 3000, null, defaultDataDir(), null,
                Duration.ofMinutes(2), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(20),
                BigDecimal.ZERO, "USDC", 16);
    }

    public ControlPlaneConfig withListen(String h, int p) {
        return new ControlPlaneConfig(h, p, databaseUrl, dataDir, publicUrl, liveWindow, deliveryTimeout, queueTimeout, longPollMax,
                paymentOffer, paymentCoin, poolSize);
    }

    public ControlPlaneConfig withDatabase(String url, Path dir) {
        return new ControlPlaneConfig(host, port, url, dir, publicUrl, liveWindow, deliveryTimeout, queueTimeout, longPollMax,
                paymentOffer, paymentCoin, poolSize);
    }

    public ControlPlaneConfig withTimings(Duration live, Duration delivery, Duration queue) {
        return new ControlPlaneConfig(host, port, databaseUrl, dataDir, publicUrl, live, delivery, queue, longPollMax,
                paymentOffer, paymentCoin, poolSize);
    }

    public ControlPlaneConfig withPayment(BigDecimal offer, String coin) {
        return new ControlPlaneConfig(host, port, databaseUrl, dataDir, publicUrl, liveWindow, deliveryTimeout, queueTimeout, longPollMax,
                offer, coin, poolSize);
    }

    public ControlPlaneConfig withPublicUrl(String url) {
        return new ControlPlaneConfig(host, port, databaseUrl, dataDir, url, liveWindow, deliveryTimeout, queueTimeout, longPollMax,
                paymentOffer, paymentCoin, poolSize);
    }
}
