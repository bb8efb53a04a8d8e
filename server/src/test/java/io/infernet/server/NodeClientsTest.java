package io.infernet.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.natives.NativeBundle;
import io.infernet.runtime.serve.ServeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Unmodified JavaScript clients against the real server over loopback: the official OpenAI npm SDK
 * (chat with tools, a streamed call through its stream helper, {@code runTools}, the Responses API
 * with {@code previous_response_id}, a Responses stream, {@code .parse()} with {@code zodResponseFormat})
 * and LangChain.js ({@code bindTools}, {@code withStructuredOutput}).
 * The packages are installed once from npm into {@code <cache>/npm-clients/<versions>} (the
 * native cache, {@code ~/.cache/infernet} by default) and reused; the tool-call outputs are scripted (see
 * {@link ScriptedServer}), the structured ones sampled from random weights. Needs {@code node} (20 or newer) and {@code npm}, as {@code ./infernet} does.
 */
@Tag("native")
@Tag("slow")
class NodeClientsTest {
    /** Versions that run on Node 20 (openai 7 and @langchain/openai 1 need Node 22). */
    static final List<String> PACKAGES = List.of("openai@6.30.1", "@langchain/openai@0.6.16", "@langchain/core@0.3.80", "zod@3.25.76");
    static final List<String> CHECKS = List.of("chat tool call", "streamed tool call", "runTools", "responses", "responses stream",
            "langchain bindTools");

    @Test
    void openaiSdkAndLangChainJsUseToolsAndTheResponsesApi() throws Exception {
        Path dir = install();
        String call = ToolCallApiTest.CALL;
        try (ScriptedServer server = ScriptedServer.withTemplate("Qwen-Qwen2.5-7B-Instruct.jinja")) {
            server.script(call, call, call, "It is sunny in Paris.", call, "It is sunny in Paris.", "Hi there.", call);
            assertEquals(CHECKS, runChecks(dir, "clients.mjs", server.baseUrl()));
            assertEquals(0, server.queued(), "every scripted answer was asked for");
        }
    }

    /**
     * Structured output through the clients' own helpers, on the random-weight model (not scripted:
     * only decoding constrained to the schema gives an answer they parse): the OpenAI SDK's
     * {@code chat.completions.parse} with {@code zodResponseFormat}, LangChain.js
     * {@code withStructuredOutput} (json_schema, strict).
     */
    @Test
    void openaiParseAndLangChainWithStructuredOutputGetValidObjects() throws Exception {
        Path dir = install();
        try (InProcessApiTest.Served s = InProcessApiTest.Served.start(
                ServeConfig.defaults().withThreads(1).withKvCells(4096).withBatchSize(128))) {
            assertEquals(List.of("openai parse", "langchain withStructuredOutput"), runChecks(dir, "structured.mjs", s.server().baseUrl(), "tiny"));
        }
    }

    /**
     * Runs the check script {@code resource} (from {@code /clients/}, with the helpers it imports,
     * {@code checks.mjs}) with node in {@code dir}; every check it reports must have passed.
     *
     * @return the names of the checks, in the order reported
     */
    private static List<String> runChecks(Path dir, String resource, String... args) throws Exception {
        for (String file : List.of("checks.mjs", resource)) {
            try (var in = NodeClientsTest.class.getResourceAsStream("/clients/" + file)) {
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path script = dir.resolve(resource);
        List<String> cmd = new ArrayList<>(List.of("node", script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node did not end within 120 s:\n" + out);
        assertEquals(0, p.exitValue(), out);
        List<String> passed = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode r = ApiHarness.json(line);
            assertTrue(r.get("ok").asBoolean(), r.get("check").asText() + " failed: " + r.get("detail"));
            passed.add(r.get("check").asText());
        }
        return passed;
    }

    /** The packages in the cache, installed on first use (a stamp file marks a finished install). */
    static Path install() throws IOException, InterruptedException {
        Path dir = NativeBundle.cacheRoot().resolve("npm-clients").resolve(Integer.toHexString(String.join(" ", PACKAGES).hashCode()));
        Path stamp = dir.resolve(".installed");
        if (Files.exists(stamp)) {
            return dir;
        }
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir.toString()));
        cmd.addAll(PACKAGES);
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("npm is not installed: this test installs the OpenAI and LangChain npm packages with it (apt-get install npm)");
            throw e;
        }
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("npm install " + PACKAGES + " failed (the npm registry must be reachable):\n" + out);
        }
        Files.writeString(stamp, String.join("\n", PACKAGES) + "\n");
        return dir;
    }
}
