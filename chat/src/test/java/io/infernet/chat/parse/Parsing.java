package io.infernet.chat.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers: parse whole and streamed, and check that the two agree. */
final class Parsing {
    private Parsing() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** Options with ids gen_0, gen_1, ... (a fresh counter per call). */
    static ParserOptions options() {
        AtomicInteger n = new AtomicInteger();
        return ParserOptions.defaults().withIdGenerator(() -> "gen_" + n.getAndIncrement());
    }

    static ParsedMessage whole(OutputFormat format, ParserOptions options, String text) {
        return ChatOutputParser.parse(format, text, options);
    }

    /** Feeds {@code text} cut at the given ascending offsets; checks the deltas and returns what they add up to. */
    static ParsedMessage streamed(OutputFormat format, ParserOptions options, String text, int[] cuts) {
        ChatOutputParser parser = format.parser(options);
        List<ChatDelta> deltas = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            deltas.addAll(parser.feed(text.substring(from, cut)));
            from = cut;
        }
        deltas.addAll(parser.feed(text.substring(from)));
        deltas.addAll(parser.finish());
        checkDeltas(deltas);
        ParsedMessage folded = ParsedMessage.fold(deltas);
        assertEquals(parser.message(), folded, "deltas must add up to the parser's own message");
        return folded;
    }

    /** Random cut points, including empty pieces. */
    static int[] randomCuts(Random random, int length) {
        int n = length == 0 ? 0 : random.nextInt(Math.min(length, 40) + 1);
        int[] cuts = new int[n];
        for (int i = 0; i < n; i++) {
            cuts[i] = random.nextInt(length + 1);
        }
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    static int[] everyChar(int length) {
        int[] cuts = new int[length];
        for (int i = 0; i < length; i++) {
            cuts[i] = i;
        }
        return cuts;
    }

    /**
     * Parses whole, then streamed one character at a time and at random cuts; asserts each stream
     * adds up to the whole parse. Returns the whole parse.
     */
    static ParsedMessage parseEveryWay(OutputFormat format, java.util.function.Supplier<ParserOptions> options, String text, long seed) {
        return parseEveryWay(format, options, text, seed, true, 25);
    }

    /** As {@link #parseEveryWay(OutputFormat, java.util.function.Supplier, String, long)}, choosing how many streams to try. */
    static ParsedMessage parseEveryWay(OutputFormat format, java.util.function.Supplier<ParserOptions> options, String text, long seed,
                                       boolean everyCharacter, int randomStreams) {
        ParsedMessage expected = whole(format, options.get(), text);
        if (everyCharacter) {
            assertEquals(expected, streamed(format, options.get(), text, everyChar(text.length())),
                    () -> "streamed a character at a time: " + text);
        }
        Random random = new Random(seed);
        for (int round = 0; round < randomStreams; round++) {
            int[] cuts = randomCuts(random, text.length());
            assertEquals(expected, streamed(format, options.get(), text, cuts),
                    () -> "streamed cut at " + java.util.Arrays.toString(cuts) + ": " + text);
        }
        return expected;
    }

    /** OpenAI's rules for a stream of deltas. */
    static void checkDeltas(List<ChatDelta> deltas) {
        int started = 0;
        int ended = 0;
        for (ChatDelta d : deltas) {
            switch (d) {
                case ChatDelta.Content c -> assertFalse(c.text().isEmpty());
                case ChatDelta.Reasoning r -> assertFalse(r.text().isEmpty());
                case ChatDelta.ToolCallDelta t -> {
                    if (t.first()) {
                        assertEquals(started, t.index(), "calls start in order");
                        assertEquals(started, ended, "a call starts only after the previous one ended");
                        assertNotNull(t.id());
                        started++;
                    } else {
                        assertEquals(started - 1, t.index(), "arguments go to the open call");
                        assertTrue(ended < started, "arguments after the call ended");
                    }
                }
                case ChatDelta.ToolCallEnd e -> {
                    assertEquals(ended, e.index(), "calls end in order");
                    ended++;
                }
            }
        }
        assertEquals(started, ended, "every call ends");
    }

    static JsonNode resource(String name) {
        try (InputStream in = Parsing.class.getResourceAsStream(name)) {
            if (in == null) {
                fail("test resource " + name + " is missing");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read test resource " + name, e);
        }
    }

    /** An output format described in a fixture: toolFormat, optional reasoning [start, end], optional contentMarkers. */
    static OutputFormat format(JsonNode fixture) {
        ToolCallFormat tools = ToolCallFormat.valueOf(fixture.get("toolFormat").asText());
        ReasoningSyntax reasoning = null;
        if (fixture.has("reasoning")) {
            reasoning = new ReasoningSyntax(fixture.get("reasoning").get(0).asText(), fixture.get("reasoning").get(1).asText());
        }
        List<String> markers = new ArrayList<>();
        fixture.path("contentMarkers").forEach(m -> markers.add(m.asText()));
        return OutputFormat.of(tools, reasoning, markers);
    }

    /** Expected calls from a fixture's "calls": name, arguments (compact JSON), optional id (else generated gen_N). */
    static List<ToolCall> calls(JsonNode fixture) {
        List<ToolCall> calls = new ArrayList<>();
        int generated = 0;
        for (JsonNode c : fixture.path("calls")) {
            String id = c.has("id") ? c.get("id").asText() : "gen_" + generated++;
            calls.add(new ToolCall(id, c.get("name").asText(), c.get("arguments").asText(), !c.has("complete") || c.get("complete").asBoolean()));
        }
        return calls;
    }

    /** Asserts arguments are written compactly and parse as JSON. */
    static void assertCompactJson(String arguments) {
        try {
            JsonNode node = JSON.readTree(arguments);
            assertEquals(node.toString(), arguments, "arguments are compact JSON");
        } catch (IOException e) {
            throw new AssertionError("arguments are not JSON: " + arguments, e);
        }
    }
}
