package io.infernet.chat.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infernet.natives.NativeBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every chat template of the pinned llama.cpp ({@code models/templates/} in the native cache)
 * renders every fixed conversation byte-identically to what the pinned llama-server rendered for
 * it ({@code src/test/resources/llama-server/}, recorded by {@code ./infernet bench chat-templates}),
 * refuses where llama-server refused with the same message at the same place, and has the same
 * capabilities. Without the cache this fails: it must never pass by rendering nothing. About 4 s
 * (70 parses with their capability probes, 1190 renders).
 */
@Tag("slow")
class CorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("src/test/resources/llama-server");
    private static final Pattern SERVER_ERROR = Pattern.compile("at line (\\d+), column (\\d+) in source:.*Error: Jinja Exception: (.*)\\z",
            Pattern.DOTALL);

    private static final Map<String, ChatTemplate> PARSED = new HashMap<>();

    static Path templates() {
        Path dir = NativeBundle.pinDir().resolve("src").resolve("models").resolve("templates");
        if (!Files.isDirectory(dir)) {
            fail("the chat-template corpus is not in the native cache: no " + dir + ". Unpack the pinned llama.cpp source "
                    + "(./infernet native info, or any native test) or point INFERNET_CACHE at a cache that has it.");
        }
        return dir;
    }

    static List<JsonNode> fixtures() {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            List<JsonNode> all = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                all.add(JSON.readTree(f.toFile()));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChatTemplate template(String file) {
        return PARSED.computeIfAbsent(file, f -> {
            try {
                return ChatTemplate.parse(Files.readString(templates().resolve(f), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The render request llama-server built from a recorded request. */
    static RenderRequest request(JsonNode fixture, JsonNode c) {
        JsonNode req = c.get("request");
        JsonNode model = fixture.get("model");
        JsonNode serverThinking = fixture.at("/server/enableThinking");
        boolean thinking = !serverThinking.isBoolean() || serverThinking.booleanValue();
        Map<String, JsonNode> kwargs = new HashMap<>();
        req.path("chat_template_kwargs").properties().forEach(e -> kwargs.put(e.getKey(), e.getValue()));
        if (kwargs.containsKey("enable_thinking") && kwargs.get("enable_thinking").isBoolean()) {
            thinking = kwargs.get("enable_thinking").booleanValue();
        }
        return RenderRequest.of(req.get("messages"))
                .withTools(req.get("tools"))
                .withGenerationPrompt(req.path("add_generation_prompt").asBoolean(true))
                .withTokens(model.get("bosToken").asText(), model.get("eosToken").asText(), model.get("addBos").asBoolean(),
                        model.get("addEos").asBoolean())
                .withEnableThinking(thinking)
                .withKwargs(kwargs)
                .withClock(Clock.fixed(Instant.ofEpochSecond(c.get("now").asLong()), ZoneOffset.UTC));
    }

    @Test
    void everyTemplateOfTheCorpusHasFixtures() throws IOException {
        TreeSet<String> corpus = new TreeSet<>();
        try (Stream<Path> files = Files.list(templates())) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jinja")).forEach(corpus::add);
        }
        TreeSet<String> recorded = new TreeSet<>();
        fixtures().forEach(f -> recorded.add(f.get("template").asText()));
        assertEquals(corpus, recorded, "re-record with ./infernet bench chat-templates when the pin's templates change");
        assertTrue(corpus.size() >= 70, "the pin has 70 templates; found " + corpus.size());
    }

    @TestFactory
    Stream<DynamicTest> capabilitiesMatchLlamaServer() {
        return fixtures().stream().map(f -> DynamicTest.dynamicTest(f.get("template").asText(), () -> {
            Map<String, Boolean> expected = new java.util.LinkedHashMap<>();
            f.at("/server/caps").properties().forEach(e -> expected.put(e.getKey(), e.getValue().asBoolean()));
            assertEquals(expected, template(f.get("template").asText()).caps().asMap());
        }));
    }

    @TestFactory
    Stream<DynamicTest> promptsAreByteIdentical() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : fixtures()) {
            String file = f.get("template").asText();
            for (JsonNode c : f.get("cases")) {
                String name = file + " / " + c.get("conversation").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    ChatTemplate t = template(file);
                    RenderRequest r = request(f, c);
                    if (c.has("prompt")) {
                        assertEquals(c.get("prompt").asText(), t.render(r), name);
                    } else {
                        Matcher m = SERVER_ERROR.matcher(c.at("/error/message").asText());
                        assertTrue(m.find(), "llama-server's error is not a template's raise_exception: " + c.get("error"));
                        TemplateException e = assertThrows(TemplateException.class, () -> t.render(r), name);
                        assertEquals(TemplateException.Kind.RAISED, e.kind(), e.getMessage());
                        assertEquals(m.group(3), e.reason());
                        assertEquals(Integer.parseInt(m.group(1)), e.line(), "line");
                        assertEquals(Integer.parseInt(m.group(2)), e.column(), "column");
                    }
                }));
            }
        }
        return tests.stream();
    }
}
