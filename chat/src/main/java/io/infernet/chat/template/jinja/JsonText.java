package io.infernet.chat.template.jinja;

import io.infernet.chat.template.InputSpans;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON in and out of template values. Out is {@code tojson} as llama.cpp writes it, which follows
 * Python's {@code json.dumps} as transformers calls it: separators {@code ", "} and {@code ": "}
 * ({@code ","} between items when indenting), raw UTF-8 unless {@code ensure_ascii}, keys in
 * insertion order, floats in C++ stream notation ({@link NumberText#general}), undefined as null.
 */
final class JsonText {
    private JsonText() {}

    /**
     * @param indent  spaces per level; negative for one line, 0 for newlines without indentation
     * @param itemSep between items
     * @param keySep  between a key and its value
     */
    static String write(Value value, int indent, String itemSep, String keySep) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0, indent, itemSep, keySep);
        return out.toString();
    }

    private static void write(StringBuilder out, Value value, int level, int indent, String itemSep, String keySep) {
        switch (value) {
            case Value.None n -> out.append("null");
            case Value.Undefined u -> out.append("null");
            case Value.Bool b -> out.append(b.value ? "true" : "false");
            case Value.Int i -> out.append(i.value);
            case Value.Flt f -> out.append(NumberText.general(f.value));
            case Value.Str s -> quote(out, s.value);
            case Value.Array a -> {
                out.append('[');
                if (!a.items.isEmpty()) {
                    newline(out, indent);
                    for (int i = 0; i < a.items.size(); i++) {
                        pad(out, indent, level + 1);
                        write(out, a.items.get(i), level + 1, indent, itemSep, keySep);
                        if (i < a.items.size() - 1) {
                            out.append(itemSep);
                        }
                        newline(out, indent);
                    }
                    pad(out, indent, level);
                }
                out.append(']');
            }
            case Value.Obj o -> {
                out.append('{');
                if (o.size() > 0) {
                    newline(out, indent);
                    int i = 0;
                    for (Value.Obj.Entry e : o.entryList()) {
                        pad(out, indent, level + 1);
                        quote(out, e.key.asString());
                        out.append(keySep);
                        write(out, e.value, level + 1, indent, itemSep, keySep);
                        if (i++ < o.size() - 1) {
                            out.append(itemSep);
                        }
                        newline(out, indent);
                    }
                    pad(out, indent, level);
                }
                out.append('}');
            }
            case Value.Func f -> out.append("null");
            case Value.Kwarg k -> out.append("null");
        }
    }

    private static void newline(StringBuilder out, int indent) {
        if (indent >= 0) {
            out.append('\n');
        }
    }

    private static void pad(StringBuilder out, int indent, int level) {
        if (indent > 0) {
            out.repeat(' ', indent * level);
        }
    }

    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Every non-ASCII character as {@code \\uxxxx} (UTF-16 units, so astral characters as surrogate pairs). */
    static String ensureAscii(String json) {
        if (Value.Str.isAscii(json)) {
            return json;
        }
        StringBuilder out = new StringBuilder(json.length() + 16);
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c < 0x80) {
                out.append(c);
            } else {
                out.append("\\u");
                String hex = Integer.toHexString(c);
                out.repeat('0', 4 - hex.length()).append(hex);
            }
        }
        return out.toString();
    }

    /** A JSON document as a fresh value tree: objects keep their key order, integers that fit 64 bits are integers. */
    static Value fromJson(JsonNode node) {
        return fromJson(node, false, null);
    }

    /**
     * Role and type names that stay template text in input data: templates build special tokens
     * from them ({@code '<|' + message['role'] + '|>'}), and a request can only hold these.
     */
    static final java.util.Set<String> TRUSTED_NAMES = java.util.Set.of("system", "developer", "user", "assistant", "tool", "function",
            "ipython", "text", "thinking", "tool_call", "tool_result", "image", "image_url");

    /** {@link #fromJson}; with {@code input}, strings and keys are marked as input (see {@link Values#fromInput}). */
    static Value fromJson(JsonNode node, boolean input, String key) {
        return switch (node.getNodeType()) {
            case NULL, MISSING -> new Value.None();
            case BOOLEAN -> new Value.Bool(node.booleanValue());
            case NUMBER -> node.isIntegralNumber() && node.canConvertToLong() ? new Value.Int(node.longValue()) : new Value.Flt(node.doubleValue());
            case STRING -> {
                String text = node.textValue();
                boolean trusted = !input || (("role".equals(key) || "type".equals(key)) && TRUSTED_NAMES.contains(text));
                yield new Value.Str(text, trusted ? InputSpans.NONE : InputSpans.all(text.length()));
            }
            case ARRAY -> {
                List<Value> items = new ArrayList<>(node.size());
                node.forEach(item -> items.add(fromJson(item, input, null)));
                yield new Value.Array(items);
            }
            case OBJECT -> {
                Value.Obj o = new Value.Obj();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    String k = e.getKey();
                    o.put(new Value.Str(k, input ? InputSpans.all(k.length()) : InputSpans.NONE), fromJson(e.getValue(), input, k));
                }
                yield o;
            }
            case BINARY, POJO -> throw new IllegalArgumentException("not JSON data: " + node.getNodeType());
        };
    }
}
