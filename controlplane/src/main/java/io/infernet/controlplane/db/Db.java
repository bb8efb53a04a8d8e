package io.infernet.controlplane.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The control plane's PostgreSQL: a HikariCP pool and transactions over it. Every write that
 * must be atomic runs in {@link #tx}; a deadlock or serialization failure (which PostgreSQL
 * resolves by aborting one side) is retried a few times. Thread-safe.
 */
public final class Db implements AutoCloseable {

    /** Work done on one connection inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static final int ATTEMPTS = 5;

    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final String user;
    private final String password;

    private Db(HikariDataSource pool, String jdbcUrl, String user, String password) {
        this.pool = pool;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /**
     * Connects to {@code jdbcUrl} and brings the schema up to date (Flyway, migrations under
     * {@code db/migration}); concurrent control planes migrate one at a time (Flyway's lock).
     *
     * @param maxConnections pool size
     */
    public static Db connect(String jdbcUrl, String user, String password, int maxConnections) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        if (user != null) {
            cfg.setUsername(user);
        }
        if (password != null) {
            cfg.setPassword(password);
        }
        cfg.setMaximumPoolSize(maxConnections);
        cfg.setMinimumIdle(Math.min(2, maxConnections));
        cfg.setPoolName("infernet-controlplane");
        cfg.setConnectionTimeout(10_000);
        cfg.setInitializationFailTimeout(15_000);
        cfg.addDataSourceProperty("ApplicationName", "infernet-controlplane");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the database at " + redact(jdbcUrl) + ": " + rootMessage(e)
                    + " (check --database-url, or leave it out to use the embedded PostgreSQL)", e);
        }
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new IllegalStateException("cannot migrate the database schema: " + rootMessage(e), e);
        }
        return new Db(ds, jdbcUrl, user, password);
    }

    public DataSource dataSource() {
        return pool;
    }

    /** A connection outside the pool (for LISTEN, which holds its connection for good). */
    public Connection dedicatedConnection() throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Runs {@code work} in one transaction, committing on return and rolling back on any exception. */
    public <T> T tx(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T out = work.run(c);
                    c.commit();
                    return out;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                }
            } catch (SQLException e) {
                if (retryable(e) && attempt < ATTEMPTS) {
                    continue;
                }
                throw new DbException(e);
            }
        }
    }

    /** Runs {@code work} with auto-commit (single statements, reads). */
    public <T> T read(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DbException(e);
        }
    }

    private static boolean retryable(SQLException e) {
        String state = e.getSQLState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    /** The URL without a password in its query string (for messages). */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A database failure that is not the caller's fault (answered 500). */
    public static final class DbException extends RuntimeException {
        public DbException(SQLException cause) {
            super("database error: " + cause.getMessage(), cause);
        }
    }
}
