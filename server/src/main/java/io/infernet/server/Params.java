package io.infernet.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Optional;

/**
 * Typed, range-checked reads of a request body's fields. A field set to JSON null counts as
 * absent (as OpenAI treats it). Every failure is a 400 that names the field, says what it
 * accepts and what it got.
 */
final class Params {

    private final ObjectNode body;

    Params(ObjectNode body) {
        this.body = body;
    }

    /** Whether {@code name} is present and not null. */
    boolean has(String name) {
        JsonNode n = body.get(name);
        return n != null && !n.isNull();
    }

    /** The raw value, or null when absent or null. */
    JsonNode raw(String name) {
        return has(name) ? body.get(name) : null;
    }

    Optional<String> string(String name) {
        return typed(name, TextNode.class, "a string").map(TextNode::textValue);
    }

    Optional<Boolean> bool(String name) {
        return typed(name, BooleanNode.class, "a boolean").map(BooleanNode::booleanValue);
    }

    /** A number in {@code [min, max]}. */
    Optional<Double> number(String name, double min, double max) {
        JsonNode n = raw(name);
        if (n == null) {
            return Optional.empty();
        }
        return Optional.of(number(name, n, min, max));
    }

    static double number(String name, JsonNode n, double min, double max) {
        if (!n.isNumber()) {
            throw ApiException.invalidType(name, name + " must be a number, got " + kind(n) + ".");
        }
        double v = n.doubleValue();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalidValue(name, name + " must be in [" + fmt(min) + ", " + fmt(max) + "], got " + n.asText() + ".");
        }
        return v;
    }

    /** An integer in {@code [min, max]}; a number with a fraction is refused. */
    Optional<Long> integer(String name, long min, long max) {
        JsonNode n = raw(name);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isNumber() || !n.canConvertToExactIntegral()) {
            throw ApiException.invalidType(name, name + " must be an integer, got " + (n.isNumber() ? n.asText() : kind(n)) + ".");
        }
        if (!n.canConvertToLong()) {
            throw ApiException.invalidValue(name, name + " must be in [" + min + ", " + max + "], got " + n.asText() + ".");
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw ApiException.invalidValue(name, name + " must be in [" + min + ", " + max + "], got " + v + ".");
        }
        return Optional.of(v);
    }

    Optional<ObjectNode> object(String name) {
        return typed(name, ObjectNode.class, "an object");
    }

    Optional<ArrayNode> array(String name) {
        return typed(name, ArrayNode.class, "an array");
    }

    /** {@code name}'s value as a {@code type} node, empty when absent; any other value is a 400: it must be {@code what}. */
    private <T extends JsonNode> Optional<T> typed(String name, Class<T> type, String what) {
        JsonNode n = raw(name);
        if (n == null) {
            return Optional.empty();
        }
        if (!type.isInstance(n)) {
            throw ApiException.invalidType(name, name + " must be " + what + ", got " + kind(n) + ".");
        }
        return Optional.of(type.cast(n));
    }

    /** "a string", "an array", ... for messages. */
    static String kind(JsonNode n) {
        return io.infernet.engines.ChatMessages.kind(n);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
