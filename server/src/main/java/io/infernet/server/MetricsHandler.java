package io.infernet.server;

import io.helidon.http.HeaderNames;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineStats;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Set;

/**
 * {@code GET /metrics} (Prometheus text 0.0.4), and the filter that counts every answered
 * request by route template and status.
 */
final class MetricsHandler implements Handler {

    private static final System.Logger LOG = System.getLogger(MetricsHandler.class.getName());

    private final Metrics metrics;
    private final Engine engine;

    /** The engine's gauges ({@link Engine#stats()}) are exposed where it has them. */
    MetricsHandler(Metrics metrics, Engine engine) {
        this.metrics = metrics;
        this.engine = engine;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        EngineStats snapshot = null;
        try {
            snapshot = engine.stats().orElse(null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "engine stats failed; /metrics leaves them out", e);
        }
        res.header(HeaderNames.CONTENT_TYPE, Metrics.CONTENT_TYPE);
        res.send(metrics.render(snapshot));
    }

    /**
     * Counts each request when its status goes out (just before the response is sent, so a
     * client that saw the answer can already see it counted; for a stream, when it starts).
     */
    static final class RequestCounter implements Filter {
        private final Metrics metrics;
        private final Set<String> routes;

        /** @param routes the exact paths served; anything else is counted as "other" */
        RequestCounter(Metrics metrics, Set<String> routes) {
            this.metrics = metrics;
            this.routes = Set.copyOf(routes);
        }

        /**
         * Also where a client that went away ends: counted under its own label, logged at DEBUG
         * without a stack trace (it is not a server fault), and the connection closed unanswered.
         */
        @Override
        public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
            String route = routeLabel(req.path().path());
            res.beforeSend(() -> metrics.request(route, res.status().code()));
            try {
                chain.proceed();
            } catch (ClientClosedException e) {
                metrics.request(route, e.statusLabel());
                LOG.log(System.Logger.Level.DEBUG, () -> req.prologue().method().text() + " " + route + ": " + e.getMessage());
                throw e;
            }
        }

        String routeLabel(String path) {
            if (routes.contains(path)) {
                return path;
            }
            if (path.startsWith("/v1/models/")) {
                return "/v1/models/{id}";
            }
            return "other";
        }
    }
}
