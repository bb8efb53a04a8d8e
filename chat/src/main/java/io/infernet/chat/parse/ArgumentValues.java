package io.infernet.chat.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns argument values written as plain text (tagged and pythonic formats) into JSON. */
final class ArgumentValues {
    private ArgumentValues() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** How raw text becomes a JSON value. */
    enum Kind {
        /** Always a JSON string (the schema says string, or the format marks it so). */
        STRING,
        /** JSON as written (the schema says number, boolean, object...), a string if it does not parse. */
        JSON,
        /** No schema: JSON when the text is a JSON value, else a string. */
        AUTO
    }

    /** The JSON for raw text of the given kind, written compactly. */
    static String toJson(String raw, Kind kind) {
        if (kind != Kind.STRING) {
            String trimmed = raw.strip();
            switch (trimmed) {
                case "True" -> {
                    return "true";
                }
                case "False" -> {
                    return "false";
                }
                case "None" -> {
                    return "null";
                }
                default -> {
                }
            }
            String json = compactJson(trimmed);
            if (json != null) {
                return json;
            }
        }
        return quote(raw);
    }

    /** The text of a JSON string literal that a {@link JsonScanner} accepted. */
    static String decodeString(String json) {
        try {
            return MAPPER.readValue(json, String.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("scanner accepted an invalid string: " + json, e);
        }
    }

    /** A JSON string literal holding {@code text}. */
    static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a string as JSON", e);
        }
    }

    /** The compact form of {@code text} when it is exactly one JSON value, else null. */
    static String compactJson(String text) {
        if (text.isEmpty()) {
            return null;
        }
        JsonScanner scanner = new JsonScanner();
        for (int i = 0; i < text.length(); i++) {
            JsonScanner.Result r = scanner.accept(text.charAt(i));
            if (r == JsonScanner.Result.ERROR || r == JsonScanner.Result.DONE_REJECT) {
                return null;
            }
            if (r == JsonScanner.Result.DONE) {
                return i == text.length() - 1 ? scanner.text() : null;
            }
        }
        return scanner.completeAtEnd() ? scanner.text() : null;
    }

    /** The kind a parameter's schema asks for: STRING when it may be a string, JSON when it may not, AUTO when unknown. */
    static Kind kindOf(JsonNode parameters, String parameter) {
        if (parameters == null) {
            return Kind.AUTO;
        }
        JsonNode schema = parameters.path("properties").path(parameter);
        if (schema.isMissingNode()) {
            return Kind.AUTO;
        }
        return maybeString(schema) ? Kind.STRING : Kind.JSON;
    }

    private static boolean maybeString(JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null) {
            if (type.isTextual()) {
                return type.asText().equals("string");
            }
            if (type.isArray()) {
                for (JsonNode t : type) {
                    if (t.asText().equals("string")) {
                        return true;
                    }
                }
                return false;
            }
        }
        if (schema.has("enum")) {
            for (JsonNode v : schema.get("enum")) {
                if (!v.isTextual()) {
                    return false;
                }
            }
            return true;
        }
        for (String combinator : new String[] {"anyOf", "oneOf"}) {
            if (schema.has(combinator)) {
                for (JsonNode branch : schema.get(combinator)) {
                    if (maybeString(branch)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return true;
    }
}
