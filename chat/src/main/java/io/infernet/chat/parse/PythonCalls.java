package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Parses calls written as Python: {@code name(key="value", n=1)}, optionally
 * {@code name.call(...)} (Llama 3.1 builtin tools) and lists {@code [f(a=1), g(b='x')]} (LFM2).
 * Values are Python literals (strings in either quote, numbers, True/False/None, lists, dicts),
 * turned into compact JSON. Returns null for anything else.
 */
final class PythonCalls {

    /** A parsed call. */
    record Call(String name, String argumentsJson) {}

    private final String text;
    private int pos;

    private PythonCalls(String text) {
        this.text = text;
    }

    /** {@code [call, call, ...]} or a single call; null when the text is not that. */
    static List<Call> parseList(String text) {
        PythonCalls p = new PythonCalls(text);
        List<Call> calls = new ArrayList<>();
        p.space();
        boolean bracket = p.peek() == '[';
        if (bracket) {
            p.pos++;
            p.space();
            if (p.peek() == ']') {
                p.pos++;
                return p.atEnd() ? calls : null;
            }
        }
        while (true) {
            Call call = p.call();
            if (call == null) {
                return null;
            }
            calls.add(call);
            p.space();
            if (bracket && p.peek() == ',') {
                p.pos++;
                p.space();
                continue;
            }
            if (bracket) {
                if (p.peek() != ']') {
                    return null;
                }
                p.pos++;
            }
            return p.atEnd() ? calls : null;
        }
    }

    private boolean atEnd() {
        space();
        return pos == text.length();
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void space() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    /** A Python identifier, or with {@code dash} a tool name (which may also hold '-'). */
    private String identifier(boolean dash) {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || (dash && text.charAt(pos) == '-'))) {
            pos++;
        }
        return pos > start && !Character.isDigit(text.charAt(start)) ? text.substring(start, pos) : null;
    }

    private Call call() {
        space();
        String name = identifier(true);
        if (name == null) {
            return null;
        }
        if (text.startsWith(".call", pos)) {
            pos += ".call".length();
        }
        space();
        if (peek() != '(') {
            return null;
        }
        pos++;
        String args = items(')', this::keywordArgument);
        return args == null ? null : new Call(name, "{" + args + "}");
    }

    /** {@code key=value} as a JSON member, or null. */
    private String keywordArgument() {
        space();
        return member(identifier(false), '=');
    }

    /** A dict's {@code 'key': value} as a JSON member, or null. */
    private String dictEntry() {
        space();
        char q = peek();
        if (q != '"' && q != '\'') {
            return null;
        }
        return member(string(q), ':');
    }

    /** {@code key} (null: none was read), then {@code separator} and a value, as a JSON member; null when one is missing. */
    private String member(String key, char separator) {
        space();
        if (key == null || peek() != separator) {
            return null;
        }
        pos++;
        String value = value();
        return value == null ? null : ArgumentValues.quote(key) + ":" + value;
    }

    /**
     * The items up to {@code close} (consumed), separated by commas, a trailing one allowed: each
     * read by {@code item} and joined with commas; null when an item is not valid or the list is not closed.
     */
    private String items(char close, Supplier<String> item) {
        StringBuilder out = new StringBuilder();
        space();
        while (peek() != close) {
            String v = item.get();
            if (v == null) {
                return null;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(v);
            space();
            if (peek() == ',') {
                pos++;
                space();
            } else if (peek() != close) {
                return null;
            }
        }
        pos++;
        return out.toString();
    }

    /** One Python literal as compact JSON, or null. */
    private String value() {
        space();
        char c = peek();
        if (c == '"' || c == '\'') {
            String s = string(c);
            return s == null ? null : ArgumentValues.quote(s);
        }
        if (c == '[' || c == '(') {
            pos++;
            String items = items(c == '[' ? ']' : ')', this::value);
            return items == null ? null : "[" + items + "]";
        }
        if (c == '{') {
            pos++;
            String items = items('}', this::dictEntry);
            return items == null ? null : "{" + items + "}";
        }
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "+-._".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        String word = text.substring(start, pos);
        return switch (word) {
            case "True", "true" -> "true";
            case "False", "false" -> "false";
            case "None", "null" -> "null";
            default -> ArgumentValues.compactJson(word);
        };
    }

    /** A quoted Python string starting at {@code pos}, unescaped; null when unterminated. */
    private String string(char quote) {
        pos++;
        StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                return out.toString();
            }
            if (c == '\\' && pos < text.length()) {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case '\\', '\'', '"' -> out.append(e);
                    default -> out.append('\\').append(e);
                }
            } else {
                out.append(c);
            }
        }
        return null;
    }
}
