package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.Engine;
import io.infernet.engines.inprocess.InProcessEngine;
import io.infernet.engines.inprocess.InProcessOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    /** Records the options it was opened with. */
    static final class StubOpener implements Function<InProcessOptions, Engine> {
        final AtomicReference<InProcessOptions> options = new AtomicReference<>();
        final StubEngine engine = new StubEngine();

        @Override
        public Engine apply(InProcessOptions o) {
            options.set(o);
            return engine;
        }
    }

    @Test
    void serveIsASubcommandOfInfernet() {
        assertTrue(Main.commandLine().getSubcommands().containsKey("serve"));
    }

    @Test
    void badOptionsAreUsageErrors(@TempDir Path dir) {
        ServeCommand cmd = new ServeCommand();
        cmd.inProcess = new StubOpener();
        CliRun r = CliRun.command(cmd, "--port", "70000");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("port must be in [0, 65535], got 70000"), r.err());

        cmd = new ServeCommand();
        cmd.inProcess = new StubOpener();
        r = CliRun.command(cmd, "--parallel", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--parallel must be >= 1"), r.err());

        cmd = new ServeCommand();
        cmd.inProcess = new StubOpener();
        r = CliRun.command(cmd, "--model", dir.resolve("missing.gguf").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.gguf: no readable file there"), r.err());
    }

    @Test
    void startsServingWithTheOptionsAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path model = Files.writeString(dir.resolve("m.gguf"), "GGUF");
        StubOpener provider = new StubOpener();
        ServeCommand cmd = new ServeCommand();
        cmd.inProcess = provider;
        new CommandLine(cmd).parseArgs("--model", model.toString(), "--port", "0", "--parallel", "2", "--ctx", "2048",
                "--threads", "3", "--cache-ram", "512", "--max-queue", "9", "--api-key", "sk-secret");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServeCommand.Running running = cmd.start(new PrintStream(out, true, StandardCharsets.UTF_8));
        running.warm().get(60, java.util.concurrent.TimeUnit.SECONDS); // its HTTP warm-up ended (health says ok)
        try {
            assertEquals(new InProcessOptions(model, 2, 2048, 3, 512L << 20, 9, false), provider.options.get());
            String printed = out.toString(StandardCharsets.UTF_8);
            String url = "http://127.0.0.1:" + running.server().port();
            assertTrue(printed.contains(url + "/v1"), printed);
            assertTrue(printed.contains("serving m with") && printed.contains("API key required"), printed);
            assertFalse(printed.contains("sk-secret"), "the key is never printed");

            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).header("Authorization", "Bearer sk-secret").build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
        } finally {
            running.close();
        }
        assertTrue(provider.engine.closed.get(), "the engine is closed on stop");
    }

    @Test
    void corsOriginsAndModelAliasesReachTheServer() throws Exception {
        StubOpener provider = new StubOpener();
        ServeCommand cmd = new ServeCommand();
        cmd.inProcess = provider;
        new CommandLine(cmd).parseArgs("--engine", "in-process", "--port", "0", "--cors-origin", "http://localhost:3000",
                "--model-alias", "gpt-4o,gpt-4o-mini", "--model-alias", "o1");
        ServeCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream()));
        running.warm().get(60, java.util.concurrent.TimeUnit.SECONDS); // its HTTP warm-up ended (health says ok)
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String url = "http://127.0.0.1:" + running.server().port();
            String models = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body();
            // the demo model under the name it is served by (the in-process engine holds its models by name), then the aliases
            for (String id : List.of(InProcessEngine.DEMO_NAME, "gpt-4o", "gpt-4o-mini", "o1")) {
                assertTrue(models.contains("\"id\":\"" + id + "\""), models);
            }
            HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:3000")
                    .header("Access-Control-Request-Method", "GET").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, preflight.statusCode());
            assertEquals("http://localhost:3000", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        } finally {
            running.close();
        }
        ServeCommand bad = new ServeCommand();
        bad.inProcess = new StubOpener();
        CliRun r = CliRun.command(bad, "--cors-origin", "localhost:3000");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cors-origin takes an origin as a browser sends it"), r.err());
    }

    @Test
    void thePromptCacheBudgetScalesWithTheAvailableRam() {
        InProcessEngineOptions o = new InProcessEngineOptions();
        new CommandLine(o).parseArgs();
        o.availableRam = () -> java.util.OptionalLong.of(6L << 30); // a small machine: a quarter of 6 GiB
        assertEquals(1536L << 20, o.toOptions(null).cacheRamBytes());
        o.availableRam = () -> java.util.OptionalLong.of(200L << 30); // a large one: capped
        assertEquals(8192L << 20, o.toOptions(null).cacheRamBytes());
        o.availableRam = java.util.OptionalLong::empty;
        assertEquals(512L << 20, o.toOptions(null).cacheRamBytes());
        new CommandLine(o).parseArgs("--cache-ram", "0");
        assertEquals(0, o.toOptions(null).cacheRamBytes());
        new CommandLine(o).parseArgs("--cache-ram", "lots");
        Main.UsageError e = assertThrows(Main.UsageError.class, () -> o.toOptions(null));
        assertTrue(e.getMessage().contains("number of MiB or auto"), e.getMessage());
        assertTrue(InProcessEngineOptions.availableRam().isPresent(), "this machine's available RAM can be read");
        String help = new CommandLine(new ServeCommand()).getUsageMessage();
        assertTrue(help.contains("a quarter of the RAM available") && help.contains("MemAvailable"), help);
    }

    @Test
    void aPortInUseIsReportedAndTheEngineClosed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            StubOpener provider = new StubOpener();
            ServeCommand cmd = new ServeCommand();
            cmd.inProcess = provider;
            new CommandLine(cmd).parseArgs("--port", Integer.toString(taken.getLocalPort()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cmd.start(new PrintStream(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertTrue(provider.engine.closed.get());
        }
    }

    /**
     * Several models in one process (Ollama-style): every --model and every model of a models
     * directory (under the names installs recorded) is listed by /v1/models; the first loads at
     * once, the others on their first request.
     */
    @Test
    void servesSeveralModelsAndLoadsEachOnItsFirstRequest(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.gguf"), "GGUF");
        Path b = Files.writeString(dir.resolve("b.gguf"), "GGUF");
        var store = new io.infernet.node.protocol.models.ModelStore(dir.resolve("store"));
        Files.createDirectories(store.dir());
        Files.writeString(store.dir().resolve("qwen2.5@0.5b.gguf"), "GGUF");
        store.record("qwen2.5:0.5b", "qwen2.5@0.5b.gguf", "ollama://registry.ollama.ai/library/qwen2.5:0.5b", "00");
        List<Path> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServeCommand cmd = new ServeCommand();
        cmd.inProcess = o -> {
            opened.add(o.model());
            return new io.infernet.node.protocol.testing.FakeEngine(InProcessModels.nameOf(o.model()));
        };
        new CommandLine(cmd).parseArgs("--model", a.toString(), "--model", b.toString(), "--models-dir", store.dir().toString(), "--port", "0",
                "--models-memory", "64");
        ServeCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        running.warm().get(60, java.util.concurrent.TimeUnit.SECONDS); // its HTTP warm-up ended (health says ok)
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String url = "http://127.0.0.1:" + running.server().port();
            assertEquals(List.of(a), opened, "the default model loads at once, the others wait");
            String list = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body();
            var ids = new java.util.ArrayList<String>();
            io.infernet.engines.Json.MAPPER.readTree(list).get("data").forEach(m -> ids.add(m.get("id").asText()));
            assertEquals(List.of("a", "b", "qwen2.5:0.5b"), ids);
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            assertEquals("qwen2.5:0.5b", io.infernet.engines.Json.MAPPER.readTree(chat.body()).get("model").asText());
            assertEquals(List.of(a, store.dir().resolve("qwen2.5@0.5b.gguf")), opened);
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, unknown.statusCode(), unknown.body());
        } finally {
            running.close();
        }
    }
}
