package io.infernet.controlplane;

import java.nio.file.Path;
import java.time.Duration;

/** Control planes for tests: on loopback, an ephemeral port, a fresh database, short timings. */
public final class TestControlPlanes {

    private TestControlPlanes() {}

    /** Live window 3 s, delivery timeout 3 s, queue timeout 2 s. */
    public static ControlPlaneConfig config(String jdbcUrl) {
        return ControlPlaneConfig.defaults().withListen("127.0.0.1", 0)
                .withDatabase(jdbcUrl, Path.of("unused"))
                .withTimings(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(2));
    }

    public static ControlPlane start(String jdbcUrl) {
        return ControlPlane.start(config(jdbcUrl));
    }
}
