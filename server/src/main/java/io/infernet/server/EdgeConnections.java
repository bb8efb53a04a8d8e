package io.infernet.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The listener's only connection selector: every connection is Helidon's HTTP/1.1 connection
 * over an {@link EdgeConnection} (deadlines, HTTP/1.0, disconnect watch), with the request line
 * and header limits of {@link EdgeConfig}. A watchdog thread checks the live connections'
 * deadlines every {@link #TICK}. {@link #phases()} is the routing filter that tells each
 * connection when a request is routed and when it is done.
 */
final class EdgeConnections implements ServerConnectionSelector, AutoCloseable {

    /** How often deadlines are checked: a connection past one is closed within this much more. */
    static final Duration TICK = Duration.ofMillis(250);

    private static final byte[] HTTP_1_1 = " HTTP/1.1\r".getBytes(StandardCharsets.US_ASCII);

    private final EdgeConfig cfg;
    private final Http1ConnectionSelector http1;
    private final Set<EdgeConnection> live = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;

    EdgeConnections(EdgeConfig cfg) {
        this.cfg = cfg;
        this.http1 = Http1ConnectionSelector.builder()
                .config(Http1Config.builder()
                        .maxPrologueLength(cfg.maxRequestLineBytes())
                        .maxHeadersSize(cfg.maxHeaderBytes())
                        .build())
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("infernet-http-deadlines").daemon(true).factory());
        watchdog.scheduleAtFixedRate(this::checkDeadlines, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkDeadlines() {
        long now = System.nanoTime();
        for (EdgeConnection c : live) {
            try {
                c.checkDeadline(now);
            } catch (RuntimeException e) {
                System.getLogger(EdgeConnections.class.getName()).log(System.Logger.Level.DEBUG, "a deadline check failed", e);
            }
        }
    }

    /** Connections open now (for tests and the soak's figures). */
    int liveCount() {
        return live.size();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /** HTTP/1.1 and HTTP/1.0 request lines; a first line not yet complete too (so an overlong one gets Helidon's 414). */
    @Override
    public Support supports(BufferData request) {
        int lf = request.indexOf(Bytes.LF_BYTE);
        if (lf == -1) {
            return Support.SUPPORTED;
        }
        byte[] line = new byte[lf + 1];
        request.read(line);
        return Http10Request.isHttp10(line, lf) || Http10Request.lineEndsWith(line, lf, HTTP_1_1) ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of("http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        EdgeConnection edge = new EdgeConnection(ctx, cfg);
        return new Connection(edge, http1.connection(edge));
    }

    /** The routing filter that marks each request's start (head complete) and end (response complete). */
    Filter phases() {
        return (FilterChain chain, RoutingRequest req, RoutingResponse res) -> {
            EdgeConnection c = EdgeConnection.current().orElse(null);
            if (c == null) {
                chain.proceed();
                return;
            }
            c.requestStarted();
            try {
                chain.proceed();
            } finally {
                c.requestEnded();
            }
        };
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /** Helidon's connection, run with its {@link EdgeConnection} bound and registered with the watchdog. */
    private final class Connection implements ServerConnection, InterruptableTask<Void> {
        private final EdgeConnection edge;
        private final ServerConnection delegate;

        Connection(EdgeConnection edge, ServerConnection delegate) {
            this.edge = edge;
            this.delegate = delegate;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            live.add(edge);
            try {
                ScopedValue.where(EdgeConnection.CURRENT, edge).call(() -> {
                    delegate.handle(limit);
                    return null;
                });
            } finally {
                live.remove(edge);
            }
        }

        /**
         * Not idle while a request is being handled: Helidon counts from the request's start, and
         * would mark a connection whose generation outlasts the idle timeout for closing after it.
         */
        @Override
        public Duration idleTime() {
            return edge.handling() ? Duration.ZERO : delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return delegate instanceof InterruptableTask<?> t && t.canInterrupt();
        }

        @Override
        public Void call() {
            throw new UnsupportedOperationException("a connection is run by its handle method");
        }
    }
}
