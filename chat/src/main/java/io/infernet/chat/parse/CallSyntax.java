package io.infernet.chat.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a format writes tool calls, as data: for building a grammar that constrains decoding to
 * valid calls (from the first token under {@code tool_choice: "required"} or a named function,
 * or lazily once a trigger appears under {@code "auto"}). The calls of one message are written as
 * {@code prefix call (separator call)* suffix}; one call is the sequence {@link #call()} of
 * literals and slots. This is the canonical form: the parser also accepts the whitespace and key
 * order variations models produce, and {@link #render} output always parses back.
 *
 * @param triggers        strings whose appearance in the output means a call has started (for a
 *                        lazy grammar; the grammar then covers the text from the trigger on, which
 *                        is the start of {@code prefix} or of the first call)
 * @param prefix          literal before the first call ("" when each call carries its own opener)
 * @param call            one call: literals and slots
 * @param separator       literal between two calls of one message
 * @param suffix          literal after the last call
 * @param arguments       how the {@link Slot#ARGUMENTS} slot is written: null for one JSON object
 *                        matching the tool's {@code parameters} schema, else tagged key/value pairs
 * @param idPattern       regular expression for the {@link Slot#ID} slot, null when there is none
 * @param parallel        whether one message can carry several calls
 */
public record CallSyntax(List<String> triggers, String prefix, List<Part> call, String separator, String suffix,
                         TaggedArguments arguments, String idPattern, boolean parallel) {

    public CallSyntax {
        triggers = List.copyOf(triggers);
        Objects.requireNonNull(prefix, "prefix");
        call = List.copyOf(call);
        Objects.requireNonNull(separator, "separator");
        Objects.requireNonNull(suffix, "suffix");
        if (!call.contains(Slot.NAME) || !call.contains(Slot.ARGUMENTS)) {
            throw new IllegalArgumentException("a call needs a NAME and an ARGUMENTS slot");
        }
        if (call.contains(Slot.ID) && idPattern == null) {
            throw new IllegalArgumentException("an ID slot needs an idPattern");
        }
    }

    /** A piece of a call: a {@link Literal} or a {@link Slot}. */
    public sealed interface Part permits Literal, Slot {}

    /** Text written as is. */
    public record Literal(String text) implements Part {
        public Literal {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty literal");
            }
        }
    }

    /** A value the model chooses. */
    public enum Slot implements Part {
        /** The function name, one of the request's tools ({@code [A-Za-z0-9_-]+} for OpenAI). */
        NAME,
        /** The call id, matching {@link #idPattern()}. */
        ID,
        /** The 0-based position of the call in the message, in decimal. */
        INDEX,
        /** The arguments: see {@link #arguments()}. */
        ARGUMENTS
    }

    /**
     * Arguments written as tagged pairs, joined by {@code separator}: a string value as
     * {@code keyPrefix KEY stringKeySuffix RAW stringValueSuffix}, where RAW is the string itself
     * (not quoted, not escaped; it must not contain {@code stringValueSuffix}); any other value as
     * {@code keyPrefix KEY jsonKeySuffix JSON jsonValueSuffix}.
     */
    public record TaggedArguments(String keyPrefix, String stringKeySuffix, String stringValueSuffix,
                                  String jsonKeySuffix, String jsonValueSuffix, String separator) {

        /** String and non-string values written between the same tags. */
        public static TaggedArguments uniform(String keyPrefix, String keySuffix, String valueSuffix, String separator) {
            return new TaggedArguments(keyPrefix, keySuffix, valueSuffix, keySuffix, valueSuffix, separator);
        }
    }

    public static Literal lit(String text) {
        return new Literal(text);
    }

    /**
     * The text a model following this syntax writes for these calls (ids are used only where the
     * syntax has an ID slot).
     *
     * @throws IllegalArgumentException when a call's arguments are not a JSON object
     */
    public String render(List<ToolCall> calls) {
        StringBuilder out = new StringBuilder(prefix);
        for (int i = 0; i < calls.size(); i++) {
            if (i > 0) {
                out.append(separator);
            }
            ToolCall tc = calls.get(i);
            for (Part part : call) {
                switch (part) {
                    case Literal l -> out.append(l.text());
                    case Slot s -> out.append(switch (s) {
                        case NAME -> tc.name();
                        case ID -> tc.id();
                        case INDEX -> Integer.toString(i);
                        case ARGUMENTS -> renderArguments(tc.argumentsJson());
                    });
                }
            }
        }
        return out.append(suffix).toString();
    }

    private String renderArguments(String json) {
        if (arguments == null) {
            return json;
        }
        JsonNode object;
        try {
            object = ArgumentValues.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("arguments are not JSON: " + json, e);
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException("arguments are not a JSON object: " + json);
        }
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (!first) {
                out.append(arguments.separator());
            }
            first = false;
            out.append(arguments.keyPrefix()).append(e.getKey());
            if (e.getValue().isTextual()) {
                out.append(arguments.stringKeySuffix()).append(e.getValue().asText()).append(arguments.stringValueSuffix());
            } else {
                out.append(arguments.jsonKeySuffix()).append(e.getValue().toString()).append(arguments.jsonValueSuffix());
            }
        }
        return out.toString();
    }
}
