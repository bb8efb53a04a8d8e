package io.infernet.engines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The project's one Jackson setup and the JSON forms it writes: compact (HTTP bodies, the
 * protocol's signed bodies and auth envelope; key order as inserted, like
 * {@code JSON.stringify(x)}) and pretty (the config file and the CLI's JSON output; exactly
 * {@code JSON.stringify(x, null, 2)}: 2-space indent, {@code "key": value}, {@code {}} and
 * {@code []} when empty). Parsing is strict: one JSON value, nothing after it. Thread-safe.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final ObjectWriter COMPACT = MAPPER.writer();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(
                    Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                            .withObjectEmptySeparator("")
                            .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Compact UTF-8 bytes. */
    public static byte[] compactBytes(JsonNode node) {
        try {
            return COMPACT.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String compact(JsonNode node) {
        return new String(compactBytes(node), StandardCharsets.UTF_8);
    }

    /** Pretty form with a trailing newline (the config file's format). */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON text; throws {@link IOException} (a Jackson parse error) on bad input. */
    public static JsonNode parse(byte[] bytes) throws IOException {
        return MAPPER.readTree(bytes);
    }

    /** ISO-8601 UTC with milliseconds, as JavaScript's {@code Date.toISOString()} writes it. */
    public static String timestamp(Instant t) {
        return ISO_MILLIS.format(t);
    }

    /** The text of a field when it is a JSON string, else null. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** Compact text of a tree (an alias of {@link #compact} for call sites that write, not sign). */
    public static String write(JsonNode node) {
        return compact(node);
    }

    /** The tree of {@code text}, or empty when it is not (one) JSON value. */
    public static Optional<JsonNode> tryParse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * The tree of a server's answer, which must be a JSON object.
     *
     * @throws IllegalArgumentException otherwise, quoting the first 120 characters of {@code body}
     */
    public static JsonNode parseObject(String body) {
        return tryParse(body).filter(JsonNode::isObject)
                .orElseThrow(() -> new IllegalArgumentException("not a JSON object: " + (body.length() > 120 ? body.substring(0, 120) + "..." : body)));
    }

    /** The elements of a JSON array as floats (each read as a double and narrowed); 0 for one that is not a number. */
    public static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int j = 0; j < f.length; j++) {
            f[j] = (float) array.get(j).asDouble();
        }
        return f;
    }
}
