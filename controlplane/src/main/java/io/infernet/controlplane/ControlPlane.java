package io.infernet.controlplane;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.infernet.controlplane.batch.BatchRoutes;
import io.infernet.controlplane.batch.BatchScheduler;
import io.infernet.controlplane.db.DatabaseUrl;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.EmbeddedDatabase;
import io.infernet.controlplane.db.Signals;
import io.infernet.controlplane.gateway.ChatGateway;
import io.infernet.controlplane.gateway.ModelsRoute;
import io.infernet.controlplane.http.ApiError;
import io.infernet.controlplane.http.Http;
import io.infernet.controlplane.jobs.Dispatcher;
import io.infernet.controlplane.jobs.JobStore;
import io.infernet.controlplane.jobs.Reaper;
import io.infernet.controlplane.node.Idempotency;
import io.infernet.controlplane.node.NodeApi;
import io.infernet.controlplane.node.NodeAuth;
import io.infernet.controlplane.status.StatusPage;
import io.infernet.controlplane.users.CliAuthRoutes;
import io.infernet.controlplane.users.UserRoutes;
import io.infernet.controlplane.users.Users;
import io.infernet.server.ConnectionCloseFilter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A running control plane: its database (embedded or external), the dispatcher and reaper
 * threads, and the HTTP server (Helidon SE, a virtual thread per request) with the node API,
 * the OpenAI-compatible gateway, the user routes, batch jobs and the status page.
 *
 * <p>Ownership: {@link #close()} stops the server, then the background threads, then the pool,
 * then the embedded PostgreSQL if this process runs it. Several control planes may share one
 * database; each runs all of the above.
 */
public final class ControlPlane implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.controlplane");

    private final ControlPlaneConfig config;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Db db;
    private final EmbeddedDatabase embedded;
    private final String databaseDescription;
    private WebServer server;

    private ControlPlane(ControlPlaneConfig config, Db db, EmbeddedDatabase embedded, String databaseDescription) {
        this.config = config;
        this.db = db;
        this.embedded = embedded;
        this.databaseDescription = databaseDescription;
    }

    /**
     * Opens the database, migrates it, and starts serving.
     *
     * @throws IllegalStateException with what to do when the database or the port cannot be used
     */
    public static ControlPlane start(ControlPlaneConfig config) {
        EmbeddedDatabase embedded = null;
        DatabaseUrl url;
        String description;
        if (config.databaseUrl() != null) {
            url = DatabaseUrl.parse(config.databaseUrl());
            description = Db.redact(url.jdbc());
        } else {
            embedded = EmbeddedDatabase.open(config.dataDir());
            url = new DatabaseUrl(embedded.jdbcUrl(), null, null);
            description = "embedded PostgreSQL in " + config.dataDir() + " (" + embedded.jdbcUrl() + ")";
        }
        Db db;
        try {
            db = Db.connect(url.jdbc(), url.user(), url.password(), config.poolSize());
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
        ControlPlane cp = new ControlPlane(config, db, embedded, description);
        try {
            cp.serve();
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    private void serve() {
        Signals signals = own(new Signals(db));
        JobStore jobs = new JobStore();
        RandomGenerator rng = new SecureRandom();
        NodeAuth auth = new NodeAuth(db, Clock.systemUTC());
        Idempotency idempotency = new Idempotency(db);
        own(new Dispatcher(db, signals, config.liveWindow(), rng).start());
        own(new BatchScheduler(db, signals, jobs).start());
        own(new Reaper(db, jobs, config.liveWindow(), config.deliveryTimeout(), config.queueTimeout().plusSeconds(30),
                List.of(auth::expireNonces, idempotency::expire)).start());

        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(new ConnectionCloseFilter());
        new NodeApi(db, auth, idempotency, jobs, signals, config.longPollMax()).register(routing);
        Users users = new Users(db, Clock.systemUTC());
        UserRoutes userRoutes = new UserRoutes(db, users, auth);
        userRoutes.register(routing);
        new BatchRoutes(db, userRoutes).register(routing);
        new CliAuthRoutes(db, users, this::publicUrl).register(routing);
        ChatGateway gateway = new ChatGateway(db, signals, jobs, config.queueTimeout(), config.paymentOffer(), config.paymentCoin());
        routing.post("/v1/chat/completions", gateway::handle);
        routing.get("/v1/models", new ModelsRoute(db)::handle);
        new StatusPage(db, config.liveWindow()).register(routing);
        routing.any("/v1/*", (req, res) -> {
            throw new ChatGateway.OpenAiError(404, "no route " + req.prologue().method().text() + " " + req.path().path());
        });
        routing.any((req, res) -> {
            throw ApiError.notFound("no route " + req.prologue().method().text() + " " + req.path().path());
        });
        routing.error(ChatGateway.OpenAiError.class, (req, res, e) -> {
            if (e.status() == 503) {
                res.header("Retry-After", "5");
            }
            ChatGateway.send(res, e.status(), e.getMessage());
        });
        routing.error(ApiError.class, (req, res, e) -> {
            if (req.path().path().startsWith("/v1/")) {
                ChatGateway.send(res, e.status(), e.getMessage());
            } else {
                Http.error(res, e.status(), e.getMessage());
            }
        });
        routing.error(Exception.class, (req, res, e) -> {
            LOG.log(System.Logger.Level.ERROR, "internal error on " + req.prologue().method().text() + " " + req.path().path(), e);
            String message = e instanceof Db.DbException ? e.getMessage() : "internal error: " + e.getClass().getSimpleName();
            if (req.path().path().startsWith("/v1/")) {
                ChatGateway.send(res, 500, message);
            } else {
                Http.error(res, 500, message);
            }
        });
        server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .connectionOptions(o -> o.tcpNoDelay(true))
                .routing(routing)
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
                    + ": the port is in use or the address is not one of this machine's (choose another with --port or --host)");
        }
    }

    /** The URL users reach this control plane at: --public-url, else the listening address. */
    public String publicUrl() {
        return config.publicUrl() != null ? config.publicUrl().replaceAll("/+$", "") : baseUrl();
    }

    private <T extends AutoCloseable> T own(T t) {
        owned.add(t);
        return t;
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    /** Where the data is, for the startup message (no password). */
    public String databaseDescription() {
        return databaseDescription;
    }

    /** The JDBC URL of the embedded PostgreSQL (what a second control plane passes as --database-url), or null. */
    public String embeddedJdbcUrl() {
        return embedded == null ? null : embedded.jdbcUrl();
    }

    public Db db() {
        return db;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
        for (AutoCloseable c : owned.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing {0}: {1}", c.getClass().getSimpleName(), e.getMessage());
            }
        }
        db.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
