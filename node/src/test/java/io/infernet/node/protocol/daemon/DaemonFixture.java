package io.infernet.node.protocol.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.node.protocol.testing.FakeControlPlane;
import io.infernet.node.protocol.testing.FakeEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daemon tests' fixture: per test, a fresh loopback control plane, the engine {@link #newEngine}
 * makes and a {@link DaemonHarness} in a temporary folder; after each test, no signed request the
 * control plane refused, and the control plane closed.
 */
abstract class DaemonFixture {

    @TempDir
    Path tmp;

    FakeControlPlane cp;
    FakeEngine engine;
    DaemonHarness h;

    /** The engine the harness serves, a new one per test. */
    abstract FakeEngine newEngine();

    @BeforeEach
    void startControlPlane() throws Exception {
        cp = new FakeControlPlane();
        engine = newEngine();
        h = new DaemonHarness(cp, engine, tmp);
    }

    @AfterEach
    void stopControlPlane() {
        assertTrue(cp.authFailures().isEmpty(), () -> "refused envelopes: " + cp.authFailures());
        cp.close();
    }
}
