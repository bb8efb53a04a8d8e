package io.infernet.bench.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.bench.serving.ServerProcess;
import io.infernet.natives.NativePin;
import io.infernet.natives.Progress;
import io.infernet.runtime.gguf.GgufFile;
import io.infernet.runtime.gguf.GgufReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Records what the pinned llama-server renders for every chat template of the corpus: for each
 * {@code *.jinja} file it starts {@code llama-server --jinja --chat-template-file FILE} on a tiny
 * generated model (loopback, one thread, {@code TZ=UTC} so that the templates' dates are UTC),
 * reads {@code /props} (the template's capabilities, BOS and EOS), finds the
 * {@code enable_thinking} value the server passes by default, and sends each conversation of
 * {@link TemplateConversations} to {@code POST /apply-template}. One JSON file per template:
 * the request, the instant it was sent (epoch seconds; a case whose UTC day changed during the
 * request is recorded again) and the prompt, or the status and message of the error.
 */
public final class TemplateFixtures {
    private TemplateFixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param llamaServer  the pinned llama-server binary
     * @param model        a small GGUF model (its vocabulary gives BOS, EOS and add_bos)
     * @param templates    folder of {@code *.jinja} templates
     * @param out          folder the fixture files go to (created)
     * @param only         template file name to record alone, or null for all
     * @param startTimeout how long a server may take to answer {@code /health}
     */
    public record Settings(Path llamaServer, Path model, Path templates, Path out, String only, Duration startTimeout) {}

    /** Records every template; returns the files written. */
    public static List<Path> generate(Settings settings, Progress progress) throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> list = Files.list(settings.templates())) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".jinja"))
                    .filter(p -> settings.only() == null || p.getFileName().toString().equals(settings.only()))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no *.jinja template " + (settings.only() == null ? "" : "named " + settings.only() + " ")
                    + "in " + settings.templates());
        }
        Files.createDirectories(settings.out());
        ObjectNode model = modelFacts(settings.model());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Path> written = new ArrayList<>();
        for (Path template : files) {
            String name = template.getFileName().toString();
            progress.step("recording " + name);
            ObjectNode fixture = JSON.createObjectNode();
            fixture.put("template", name);
            fixture.put("llamaCpp", NativePin.ID);
            fixture.put("generatedBy", "./infernet bench chat-templates");
            fixture.set("model", model);
            record(settings, template, http, fixture);
            Path file = settings.out().resolve(name.substring(0, name.length() - ".jinja".length()) + ".json");
            Files.writeString(file, JSON.writeValueAsString(fixture) + "\n", StandardCharsets.UTF_8);
            written.add(file);
        }
        return written;
    }

    private static ObjectNode modelFacts(Path model) {
        GgufFile gguf = GgufReader.read(model);
        ObjectNode facts = JSON.createObjectNode();
        facts.put("file", model.getFileName().toString());
        facts.put("addBos", flag(gguf, "tokenizer.ggml.add_bos_token"));
        facts.put("addEos", flag(gguf, "tokenizer.ggml.add_eos_token"));
        return facts;
    }

    private static boolean flag(GgufFile gguf, String key) {
        if (gguf.find(key).isEmpty()) {
            throw new IllegalArgumentException(gguf.path() + " has no " + key + "; give a model whose vocabulary states it");
        }
        return gguf.getBool(key);
    }

    private static void record(Settings settings, Path template, HttpClient http, ObjectNode fixture) throws IOException, InterruptedException {
        int port = freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        Path log = Files.createTempFile("llama-server-template-", ".log");
        List<String> command = List.of(settings.llamaServer().toString(), "-m", settings.model().toString(), "--jinja",
                "--chat-template-file", template.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "-t", "1", "-c", "512", "-np", "1", "--no-warmup");
        ObjectNode server = fixture.putObject("server");
        ServerProcess process;
        try {
            process = ServerProcess.start(command, Map.of("TZ", "UTC"), base, log, settings.startTimeout());
        } catch (IllegalStateException e) {
            server.put("started", false);
            server.put("error", errorLines(log));
            fixture.putArray("cases");
            Files.deleteIfExists(log);
            return;
        }
        try (process) {
            server.put("started", true);
            JsonNode props = JSON.readTree(get(http, base.resolve("/props")).body());
            fixture.with("model").put("bosToken", props.path("bos_token").asText());
            fixture.with("model").put("eosToken", props.path("eos_token").asText());
            server.set("caps", props.path("chat_template_caps"));
            server.set("enableThinking", defaultEnableThinking(http, base));
            var cases = fixture.putArray("cases");
            for (var c : TemplateConversations.all().entrySet()) {
                ObjectNode entry = cases.addObject();
                entry.put("conversation", c.getKey());
                entry.set("request", c.getValue());
                recordCase(http, base, c.getValue(), entry);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The value llama-server gives {@code enable_thinking} when the request names none: true, false, or null where the plain conversation does not show it. */
    private static JsonNode defaultEnableThinking(HttpClient http, URI base) throws IOException, InterruptedException {
        ObjectNode plain = TemplateConversations.all().get("plain");
        String neutral = promptOf(http, base, plain);
        String on = promptOf(http, base, plain.deepCopy().set("chat_template_kwargs", JSON.createObjectNode().put("enable_thinking", true)));
        String off = promptOf(http, base, plain.deepCopy().set("chat_template_kwargs", JSON.createObjectNode().put("enable_thinking", false)));
        if (neutral == null || on == null || off == null || on.equals(off)) {
            return JSON.nullNode();
        }
        return JSON.getNodeFactory().booleanNode(neutral.equals(on));
    }

    private static String promptOf(HttpClient http, URI base, JsonNode request) throws IOException, InterruptedException {
        HttpResponse<String> r = post(http, base.resolve("/apply-template"), request);
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("prompt").asText() : null;
    }

    private static void recordCase(HttpClient http, URI base, JsonNode request, ObjectNode entry) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            Instant before = Instant.now();
            HttpResponse<String> r = post(http, base.resolve("/apply-template"), request);
            Instant after = Instant.now();
            if (attempt == 0 && !LocalDate.ofInstant(before, ZoneOffset.UTC).equals(LocalDate.ofInstant(after, ZoneOffset.UTC))) {
                continue; // the day changed while the server rendered: its date is ambiguous, record again
            }
            entry.put("now", before.getEpochSecond());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() == 200) {
                entry.put("prompt", body.path("prompt").asText());
            } else {
                ObjectNode error = entry.putObject("error");
                error.put("status", r.statusCode());
                error.put("message", body.path("error").path("message").asText(r.body()));
            }
            return;
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, JsonNode body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The lines of a failed server's log that say why (errors), else its last lines. */
    private static String errorLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> errors = lines.stream().filter(l -> l.contains("error") || l.contains("Error") || l.contains("failed")).toList();
            List<String> chosen = errors.isEmpty() ? lines.subList(Math.max(0, lines.size() - 10), lines.size()) : errors;
            return String.join("\n", chosen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server log " + log, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
