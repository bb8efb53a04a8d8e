package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Generation;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.GenerationListener;
import io.infernet.engines.GenerationRequest;
import io.infernet.engines.Usage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Headless Chromium (Debian's {@code chromium}) against {@code infernet serve}: a page of another
 * origin, allowed by {@code --cors-origin}, makes a real cross-origin streamed fetch with an API
 * key and the OpenAI SDK's headers (so a preflight), writes the text into the page as it
 * arrives, and reports to its own origin; a page of an origin not allowed is refused by the
 * browser. The engine streams a known text with a pause between tokens, so the page must see it
 * in several reads.
 *
 * <p>Needs Chromium: it fails, naming what to install, where none is found (CI's {@code .ci/run}
 * installs it); {@code INFERNET_SKIP_BROWSER_TESTS=1} skips it knowingly.
 */
@Tag("slow")
@Tag("browser")
class BrowserFetchTest {

    private static final List<String> PIECES = List.of("Hello", " from", " a", " stub", " engine", ".");
    private static final String KEY = "browser-key";
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** Streams {@link #PIECES}, 150 ms apart, under the name it was asked for. */
    static final class StreamingEngine extends StubEngine {
        StreamingEngine() {
            super(4096);
        }

        @Override
        public Generation generate(GenerationRequest request, GenerationListener listener) {
            CompletableFuture<GenerationEvent> done = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                listener.onEvent(new GenerationEvent.Meta("stub", "stub-model", Instant.now(), 3));
                try {
                    for (String p : PIECES) {
                        Thread.sleep(150);
                        listener.onEvent(new GenerationEvent.Token(p, -1));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                GenerationEvent.Done d = new GenerationEvent.Done(FinishReason.STOP, String.join("", PIECES), new Usage(3, PIECES.size()),
                        Instant.now());
                listener.onEvent(d);
                done.complete(d);
            });
            return new Generation() {
                @Override
                public void cancel() {}

                @Override
                public CompletableFuture<GenerationEvent> completion() {
                    return done;
                }
            };
        }
    }

    /** A server of the test page at its own origin, with {@code POST /report} for what the page saw. */
    private static final class PageServer implements AutoCloseable {
        final HttpServer http;
        final CompletableFuture<JsonNode> report = new CompletableFuture<>();

        PageServer() throws IOException {
            byte[] page;
            try (InputStream in = BrowserFetchTest.class.getResourceAsStream("browser-page.html")) {
                page = in.readAllBytes();
            }
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/page.html", ex -> {
                ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                ex.getResponseBody().write(page);
                ex.close();
            });
            http.createContext("/report", ex -> {
                report.complete(new ObjectMapper().readTree(ex.getRequestBody().readAllBytes()));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            http.start();
        }

        String origin() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    /** Chromium on this machine, or a failure saying what to install. */
    static Path chromium() {
        if ("1".equals(System.getenv("INFERNET_SKIP_BROWSER_TESTS"))) {
            Assumptions.abort("INFERNET_SKIP_BROWSER_TESTS=1: the browser test is skipped on purpose");
        }
        String env = System.getenv("CHROMIUM");
        List<Path> candidates = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome", "chrome")) {
                candidates.add(Path.of(dir, name));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseGet(() -> fail(
                "headless Chromium is needed for this test and none was found (CHROMIUM, or chromium on PATH): install Debian's package "
                        + "(apt-get install -y chromium; CI's .ci/run does), or set INFERNET_SKIP_BROWSER_TESTS=1 to skip it knowingly"));
    }

    /** Opens {@code url} in a fresh headless Chromium; closing the returned process ends it. */
    private static Process open(Path chromium, Path profile, String url) throws IOException {
        // The flags that work on a machine without network access or a display (and as root).
        return new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, url)
                .redirectErrorStream(true).redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile()).start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static JsonNode visit(Path chromium, Path dir, PageServer page, String api) throws Exception {
        String url = page.origin() + "/page.html?api=" + URLEncoder.encode(api, StandardCharsets.UTF_8) + "&key=" + KEY;
        Process browser = open(chromium, Files.createTempDirectory(dir, "profile"), url);
        try {
            return page.report.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the page sent no report within " + WAIT + " (Chromium " + (browser.isAlive() ? "still running" : "exited "
                    + browser.exitValue()) + "); see " + dir, e);
        } finally {
            stop(browser);
        }
    }

    @Test
    void aPageOfAnAllowedOriginStreamsAChatAndAnotherOriginIsRefused(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        try (PageServer allowed = new PageServer(); PageServer other = new PageServer()) {
            ServeCommand cmd = new ServeCommand();
            cmd.inProcess = o -> new StreamingEngine();
            new CommandLine(cmd).parseArgs("--engine", "in-process", "--port", "0", "--api-key", KEY, "--cors-origin", allowed.origin(),
                    "--model-alias", "gpt-4o");
            ServeCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream()));
            running.warm().get(60, java.util.concurrent.TimeUnit.SECONDS); // its HTTP warm-up ended (health says ok)
            try {
                String api = "http://127.0.0.1:" + running.server().port();
                JsonNode seen = visit(chromium, dir, allowed, api); // the browser let the page read it: CORS was answered right
                assertTrue(seen.path("error").isMissingNode(), "the allowed page's fetch failed: " + seen);
                assertEquals(200, seen.get("status").asInt(), seen.toString());
                assertEquals(String.join("", PIECES), seen.get("content").asText(), "the text the page wrote into itself");
                assertEquals("gpt-4o", seen.get("model").asText(), "the alias the page asked for");
                assertTrue(seen.get("reads").asInt() >= 3, "the stream reached the page in pieces, as it was made: " + seen);

                JsonNode refused = visit(chromium, dir, other, api);
                assertTrue(refused.has("error"), "a page of an origin not allowed must not read the API: " + refused);
            } finally {
                running.close();
            }
        }
    }
}
