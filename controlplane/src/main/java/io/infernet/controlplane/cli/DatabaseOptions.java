package io.infernet.controlplane.cli;

import io.infernet.controlplane.ControlPlaneConfig;
import io.infernet.controlplane.db.DatabaseUrl;
import io.infernet.controlplane.db.Db;
import io.infernet.controlplane.db.EmbeddedDatabase;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the control plane's data is: {@code --database-url} or {@code --data-dir} (a picocli mixin). */
public final class DatabaseOptions {

    @Option(names = "--database-url", paramLabel = "URL",
            description = "An external PostgreSQL (postgresql://user:pass@host:5432/db or jdbc:postgresql://...); "
                    + "default: $INFERNET_DATABASE_URL, else an embedded PostgreSQL in --data-dir")
    String databaseUrl;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder of the embedded PostgreSQL (default: $XDG_DATA_HOME/infernet/control-plane or ~/.local/share/infernet/control-plane)")
    Path dataDir;

    /** The URL given or from the environment; null means the embedded database. */
    String url() {
        if (databaseUrl != null) {
            return databaseUrl;
        }
        String env = System.getenv("INFERNET_DATABASE_URL");
        return env == null || env.isBlank() ? null : env;
    }

    Path dir() {
        return dataDir != null ? dataDir : ControlPlaneConfig.defaultDataDir();
    }

    /** A connection for a one-off command; the embedded server (if started for it) stops on close. */
    Opened open() {
        ControlPlaneCommand.quietLibraries();
        String url = url();
        if (url != null) {
            DatabaseUrl u = DatabaseUrl.parse(url);
            return new Opened(Db.connect(u.jdbc(), u.user(), u.password(), 2), null);
        }
        EmbeddedDatabase e = EmbeddedDatabase.open(dir());
        try {
            return new Opened(Db.connect(e.jdbcUrl(), null, null, 2), e);
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    record Opened(Db db, EmbeddedDatabase embedded) implements AutoCloseable {
        @Override
        public void close() {
            db.close();
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
