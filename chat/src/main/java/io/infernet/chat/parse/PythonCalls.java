package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;

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
        StringBuilder args = new StringBuilder("{");
        space();
        if (peek() == ')') {
            pos++;
            return new Call(name, "{}");
        }
        while (true) {
            space();
            String key = identifier(false);
            space();
            if (key == null || peek() != '=') {
                return null;
            }
            pos++;
            String value = value();
            if (value == null) {
                return null;
            }
            if (args.length() > 1) {
                args.append(',');
            }
            args.append(ArgumentValues.quote(key)).append(':').append(value);
            space();
            if (peek() == ',') {
                pos++;
                space();
                if (peek() == ')') {
                    pos++;
                    break;
                }
                continue;
            }
            if (peek() != ')') {
                return null;
            }
            pos++;
            break;
        }
        return new Call(name, args.append('}').toString());
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
            char close = c == '[' ? ']' : ')';
            pos++;
            StringBuilder out = new StringBuilder("[");
            space();
            while (peek() != close) {
                String v = value();
                if (v == null) {
                    return null;
                }
                if (out.length() > 1) {
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
            return out.append(']').toString();
        }
        if (c == '{') {
            pos++;
            StringBuilder out = new StringBuilder("{");
            space();
            while (peek() != '}') {
                space();
                char q = peek();
                if (q != '"' && q != '\'') {
                    return null;
                }
                String k = string(q);
                space();
                if (k == null || peek() != ':') {
                    return null;
                }
                pos++;
                String v = value();
                if (v == null) {
                    return null;
                }
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(ArgumentValues.quote(k)).append(':').append(v);
                space();
                if (peek() == ',') {
                    pos++;
                    space();
                } else if (peek() != '}') {
                    return null;
                }
            }
            pos++;
            return out.append('}').toString();
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
