package io.infernet.controlplane.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.controlplane.ControlPlane;
import io.infernet.controlplane.TestControlPlanes;
import io.infernet.controlplane.TestDatabase;
import io.infernet.controlplane.TestNode;
import io.infernet.engines.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page as a browser renders it: headless Chromium (Debian's package) loads it and
 * dumps the DOM. CI installs Chromium (.ci/run) and there this test must run; elsewhere it is
 * skipped when Chromium is missing.
 */
@Tag("slow")
class StatusPageTest {

    @AutoClose
    static final ControlPlane cp = TestControlPlanes.start(TestDatabase.fresh());

    @TempDir
    Path tmp;

    static Path chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @Test
    void chromiumShowsProvidersModelsTiersJobsAndTokensPerSecond() throws Exception {
        Path chromium = chromium();
        if (System.getenv("CI") != null) {
            assertTrue(chromium != null, "CI must install Chromium (apt-get install chromium) for this test");
        }
        assumeTrue(chromium != null, "Chromium is not installed");
        TestNode gpu = new TestNode(cp.baseUrl(), "gpu-box <b>");
        gpu.register();
        ObjectNode hb = Json.object().put("role", "provider").put("status", "available");
        ObjectNode specs = hb.putObject("specs");
        specs.putArray("served_models").add("qwen2.5-7b").add("llama-3.1-8b");
        specs.putArray("gpus").addObject().put("vendor", "nvidia").put("vram_tier", "24-48gb").put("model", "RTX 4090");
        specs.putObject("load").put("active_jobs", 1).put("concurrency_cap", 4);
        specs.putObject("bench").put("tokens_per_second_avg", 42.5);
        gpu.client.call("heartbeat", hb);
        new TestNode(cp.baseUrl(), "cpu-box").online("tiny");
        TestNode hidden = new TestNode(cp.baseUrl(), "hidden-box").online("secret-model");
        cp.db().tx(c -> io.infernet.controlplane.db.Rows.update(c, "update providers set is_public = false where public_key = ?", hidden.pubkey()));

        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + tmp.resolve("profile"), "--dump-dom", cp.baseUrl() + "/status")
                .redirectError(tmp.resolve("chromium.err").toFile()).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish within 60 s");
        String html = new String(dom, StandardCharsets.UTF_8);
        assertTrue(html.contains("<h1>Infernet network status</h1>"), () -> "no page; chromium said: " + read(tmp.resolve("chromium.err")));
        assertTrue(html.contains("2 of 2 providers live; 3 models"), html);
        assertTrue(html.contains("gpu-box &lt;b&gt;"), "escaped provider name");
        assertTrue(html.contains("qwen2.5-7b, llama-3.1-8b"));
        assertTrue(html.contains("RTX 4090 (24-48gb)"));
        assertTrue(html.contains("<td class=\"tier\">&gt;=24gb</td>"), "the user-facing tier of a 24-48gb GPU");
        assertTrue(html.contains("<td class=\"tier\">cpu</td>"));
        assertTrue(html.contains("<span id=\"network-tps\">42.5</span>"));
        assertTrue(html.contains("1 / 4"));
        assertEquals(2, html.split("<tr class=\"provider\">", -1).length - 1);
        assertTrue(!html.contains("hidden-box") && !html.contains("secret-model"), "a provider that opted out of public listing is not shown");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no output)";
        }
    }
}
