package io.infernet.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.engines.Json;
import io.infernet.engines.inprocess.MultiModelEngine;
import io.infernet.runtime.gguf.DemoModel;
import io.infernet.runtime.gguf.SynthPreset;
import io.infernet.natives.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code infernet serve} with two real models in process (two copies of the generated tiny
 * model) and a memory budget that holds one: each answers under its own name, and asking for
 * the other unloads the idle one (llama.cpp on one thread; the model check runs once per file).
 */
@Tag("native")
class MultiModelServeNativeTest {

    @TempDir
    Path dir;

    private static HttpResponse<String> chat(HttpClient http, String url, String model) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":4}";
        return http.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoModelsInOneProcessWithinABudgetForOne() throws Exception {
        Path tiny = DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE);
        Path a = Files.copy(tiny, dir.resolve("first.gguf"));
        Path b = Files.copy(tiny, dir.resolve("second.gguf"));
        long one = InProcessModels.profiler(new io.infernet.engines.inprocess.InProcessOptions(a, 1, 256, 1, 0, 64, false)).of(a).bytes();
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--model", a.toString(), "--model", b.toString(), "--port", "0", "--threads", "1", "--parallel", "1",
                "--ctx", "256", "--cache-ram", "0", "--models-memory", Long.toString(Math.max(1, (one * 3 / 2) >> 20)));
        ServeCommand.Running running = cmd.start(new PrintStream(new ByteArrayOutputStream()));
        running.warm().get(60, java.util.concurrent.TimeUnit.SECONDS); // its HTTP warm-up ended (health says ok)
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            MultiModelEngine engine = (MultiModelEngine) running.engine();
            String url = "http://127.0.0.1:" + running.server().port();
            assertEquals(List.of("first"), engine.loadedModels());
            HttpResponse<String> r1 = chat(http, url, "second");
            assertEquals(200, r1.statusCode(), r1.body());
            assertEquals("second", Json.MAPPER.readTree(r1.body()).get("model").asText());
            assertEquals(List.of("second"), engine.loadedModels(), "the idle first model made room");
            HttpResponse<String> r2 = chat(http, url, "first");
            assertEquals(200, r2.statusCode(), r2.body());
            assertEquals(List.of("first"), engine.loadedModels());
            assertTrue(Json.MAPPER.readTree(r2.body()).at("/usage/completion_tokens").asInt() >= 1);
        } finally {
            running.close();
        }
    }

    /** {@code infernet model install|list|remove} by hand, with the full model check (a child process loads it). */
    @Test
    void modelInstallListAndRemoveByHand() throws Exception {
        byte[] gguf = Files.readAllBytes(DemoModel.ensure(SynthPreset.TINY.spec(), Progress.NONE));
        try (var files = new io.infernet.node.protocol.testing.FileServer()) {
            files.put("/m/tiny-chat.gguf", gguf);
            Path store = dir.resolve("store");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(err));
            assertEquals(0, cl.execute("model", "install", files.url("/m/tiny-chat.gguf"), "--models-dir", store.toString()), err.toString());
            assertTrue(out.toString().contains("served as tiny-chat"), out.toString());
            assertTrue(err.toString().contains("checking tiny-chat.gguf"), err.toString());
            assertEquals(0, cl.execute("model", "list", "--models-dir", store.toString()));
            assertTrue(out.toString().contains("tiny-chat  tiny-chat.gguf  (" + files.url("/m/tiny-chat.gguf") + ")"), out.toString());
            assertEquals(0, cl.execute("model", "remove", "tiny-chat", "--models-dir", store.toString()));
            assertEquals(1, cl.execute("model", "remove", "tiny-chat", "--models-dir", store.toString()));
            assertTrue(err.toString().contains("model tiny-chat is not installed"), err.toString());
        }
    }
}
