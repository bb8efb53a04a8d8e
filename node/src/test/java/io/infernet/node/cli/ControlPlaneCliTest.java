package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.Json;
import io.infernet.node.protocol.testing.FakeControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the CLI tests against the loopback control plane share: a fresh control plane and config
 * folder per test, no refused envelope at the end, and CLI runs with {@code --config-dir}.
 */
abstract class ControlPlaneCliTest {

    static final String SK = "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef";
    static final String PK = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659";

    @TempDir
    Path tmp;

    FakeControlPlane cp;
    Path dir;

    @BeforeEach
    void startControlPlane() throws Exception {
        cp = new FakeControlPlane();
        dir = tmp.resolve("cfg");
    }

    @AfterEach
    void stopControlPlane() {
        assertTrue(cp.authFailures().isEmpty(), () -> cp.authFailures().toString());
        cp.close();
    }

    CliRun run(String... args) {
        return run(Main.commandLine(), args);
    }

    CliRun run(CommandLine cl, String... args) {
        return CliRun.run(cl, dir, args);
    }

    JsonNode config() throws Exception {
        return Json.MAPPER.readTree(Files.readString(dir.resolve("config.json")));
    }
}
