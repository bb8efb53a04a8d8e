package io.infernet.controlplane;

import io.infernet.controlplane.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test run (the embedded one, started once per JVM in a
 * temporary folder and stopped at exit), and a fresh empty database in it for each caller, so
 * that test classes do not see each other's rows.
 */
public final class TestDatabase {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestDatabase() {}

    private static synchronized EmbeddedDatabase server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("infernet-cp-test-pg");
                server = EmbeddedDatabase.open(dir);
                Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return server;
    }

    /** A JDBC URL of a new, empty database. */
    public static String fresh() {
        EmbeddedDatabase s = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl()); Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
        return "jdbc:postgresql://localhost:" + s.port() + "/" + name + "?user=postgres";
    }
}
