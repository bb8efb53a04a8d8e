package io.infernet.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's GBNF text: {@link #parse} reads what llama-server accepts as its {@code grammar}
 * parameter (rules {@code name ::= ...}, literals with the escapes x, u, U (hex), t, r, n, classes
 * with ranges and {@code ^}, {@code .}, groups, {@code * + ? {m} {m,} {m,n}}, comments, newlines
 * inside groups and after {@code |}, token ids {@code <[id]>}); {@link #print} writes an expression
 * back in a canonical form. Repetition counts follow llama.cpp: a minimum above 2000 is an error, a
 * maximum above 2000 means no maximum. A rule defined twice keeps its last definition.
 */
public final class Gbnf {
    static final int MAX_REPETITION = 2000;

    private final String src;
    private int pos;

    private Gbnf(String src) {
        this.src = src;
    }

    /**
     * Parses GBNF text whose start rule is {@code root}.
     *
     * @throws GrammarException naming the line and column of the first error
     */
    public static Grammar parse(String text) {
        return parse(text, "root");
    }

    public static Grammar parse(String text, String root) {
        Gbnf p = new Gbnf(text);
        Map<String, Expr> rules = new LinkedHashMap<>();
        try {
            p.space(true);
            while (p.pos < p.src.length()) {
                String name = p.name();
                p.space(false);
                if (!p.src.startsWith("::=", p.pos)) {
                    throw p.error("expecting ::=");
                }
                p.pos += 3;
                p.space(true);
                Expr body = p.alternates(false);
                if (p.pos < p.src.length()) {
                    char c = p.src.charAt(p.pos);
                    if (c == '\r') {
                        p.pos += p.src.startsWith("\r\n", p.pos) ? 2 : 1;
                    } else if (c == '\n') {
                        p.pos++;
                    } else {
                        throw p.error("expecting newline or end");
                    }
                }
                p.space(true);
                rules.remove(name);
                rules.put(name, body);
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof GrammarException) {
                throw e;
            }
            throw p.error(e.getMessage());
        }
        if (!rules.containsKey(root)) {
            throw new GrammarException("the grammar defines no rule '" + root + "', where generation starts; add a line '" + root + " ::= ...'");
        }
        return new Grammar(rules, root);
    }

    /** Parses the body of one rule (alternatives; newlines allowed), for tests and builders. */
    public static Expr parseExpr(String text) {
        Gbnf p = new Gbnf(text);
        p.space(true);
        Expr e = p.alternates(true);
        p.space(true);
        if (p.pos != p.src.length()) {
            throw p.error("unexpected text");
        }
        return e;
    }

    private Expr alternates(boolean nested) {
        List<Expr> options = new ArrayList<>();
        options.add(sequence(nested));
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            space(true);
            options.add(sequence(nested));
        }
        return Expr.alt(options);
    }

    private Expr sequence(boolean nested) {
        List<Expr> items = new ArrayList<>();
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                StringBuilder text = new StringBuilder();
                while (true) {
                    if (pos >= src.length()) {
                        throw error("unterminated literal");
                    }
                    if (src.charAt(pos) == '"') {
                        break;
                    }
                    text.appendCodePoint(charAt());
                }
                pos++;
                items.add(Expr.literal(text.toString()));
                if (text.isEmpty()) {
                    items.set(items.size() - 1, new Expr.Seq(List.of())); // keep a slot for a following repetition
                }
            } else if (c == '[') {
                pos++;
                boolean negated = pos < src.length() && src.charAt(pos) == '^';
                if (negated) {
                    pos++;
                }
                List<Integer> ranges = new ArrayList<>();
                while (true) {
                    if (pos >= src.length()) {
                        throw error("unterminated character class");
                    }
                    if (src.charAt(pos) == ']') {
                        break;
                    }
                    int lo = charAt();
                    int hi = lo;
                    if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                        pos++;
                        hi = charAt();
                    }
                    if (hi < lo) {
                        throw error(String.format("empty range U+%04X-U+%04X", lo, hi));
                    }
                    ranges.add(lo);
                    ranges.add(hi);
                }
                pos++;
                items.add(Expr.chars(negated, ranges.stream().mapToInt(Integer::intValue).toArray()));
            } else if (c == '<' || c == '!') {
                boolean negated = c == '!';
                if (negated) {
                    pos++;
                }
                if (!src.startsWith("<[", pos)) {
                    throw error("token references by text need the model's vocabulary; write the token id as <[id]>");
                }
                pos += 2;
                int start = pos;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
                if (start == pos || !src.startsWith("]>", pos)) {
                    throw error("expecting <[token-id]>");
                }
                int id = Integer.parseInt(src.substring(start, pos));
                pos += 2;
                items.add(new Expr.Token(id, negated));
            } else if (isWordChar(c)) {
                items.add(Expr.ref(name()));
            } else if (c == '(') {
                pos++;
                space(true);
                Expr inner = alternates(true);
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw error("expecting ')'");
                }
                pos++;
                items.add(inner);
            } else if (c == '.') {
                pos++;
                items.add(Expr.CharClass.any());
            } else if (c == '*' || c == '+' || c == '?') {
                pos++;
                repeatLast(items, c == '+' ? 1 : 0, c == '?' ? 1 : Expr.Repeat.UNBOUNDED);
            } else if (c == '{') {
                pos++;
                space(nested);
                int min = integer();
                space(nested);
                int max;
                if (pos < src.length() && src.charAt(pos) == '}') {
                    max = min;
                } else if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                    space(nested);
                    max = pos < src.length() && Character.isDigit(src.charAt(pos)) ? integer() : Expr.Repeat.UNBOUNDED;
                    space(nested);
                    if (pos >= src.length() || src.charAt(pos) != '}') {
                        throw error("expecting '}'");
                    }
                } else {
                    throw error("expecting ',' or '}'");
                }
                pos++;
                if (min > MAX_REPETITION) {
                    throw error("a repetition of at least " + min + " exceeds " + MAX_REPETITION + " (llama.cpp's limit); reduce it");
                }
                if (max > MAX_REPETITION) {
                    max = Expr.Repeat.UNBOUNDED;
                }
                repeatLast(items, min, max);
            } else {
                break;
            }
            space(nested);
        }
        return Expr.seq(items);
    }

    private void repeatLast(List<Expr> items, int min, int max) {
        if (items.isEmpty()) {
            throw error("expecting an item before the repetition");
        }
        if (max != Expr.Repeat.UNBOUNDED && max < min) {
            throw error("repetition {" + min + "," + max + "} has its maximum below its minimum");
        }
        items.set(items.size() - 1, Expr.repeat(items.getLast(), min, max));
    }

    private int integer() {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expecting an integer");
        }
        try {
            return Integer.parseInt(src.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("integer too large");
        }
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isWordChar(src.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw error("expecting a rule name");
        }
        return src.substring(start, pos);
    }

    /** One code point of a literal or class, escapes resolved. */
    private int charAt() {
        char c = src.charAt(pos);
        if (c != '\\') {
            int cp = src.codePointAt(pos);
            pos += Character.charCount(cp);
            return cp;
        }
        if (pos + 1 >= src.length()) {
            throw error("unexpected end after '\\'");
        }
        char e = src.charAt(pos + 1);
        pos += 2;
        return switch (e) {
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'n' -> '\n';
            case '\\', '"', '[', ']', '-' -> e;
            default -> {
                pos -= 2;
                throw error("unknown escape '\\" + e + "'");
            }
        };
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw error("expecting " + digits + " hex digits");
        }
        int v = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(src.charAt(pos + i), 16);
            if (d < 0) {
                throw error("expecting " + digits + " hex digits");
            }
            v = v * 16 + d;
        }
        pos += digits;
        if (v > CodePointSet.MAX) {
            throw error(String.format("code point %X is beyond U+10FFFF", v));
        }
        return v;
    }

    private void space(boolean newlineOk) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || (newlineOk && (c == '\r' || c == '\n'))) {
                pos++;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\r' && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private GrammarException error(String what) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        int end = src.indexOf('\n', Math.min(pos, src.length()));
        String near = src.substring(Math.min(pos, src.length()), end < 0 ? src.length() : end);
        if (near.length() > 40) {
            near = near.substring(0, 40) + "...";
        }
        return new GrammarException("GBNF grammar, line " + line + " column " + col + ": " + what + " (at '" + near + "')");
    }

    // ---- printing ----

    /** The expression as GBNF text (canonical: classes sorted and merged, literals merged). */
    public static String print(Expr e) {
        StringBuilder out = new StringBuilder();
        print(e, out, 0);
        return out.toString();
    }

    /** Precedence: 0 = alternatives allowed, 1 = inside a sequence, 2 = operand of a repetition. */
    private static void print(Expr e, StringBuilder out, int prec) {
        switch (e) {
            case Expr.Alt a -> {
                if (prec > 0) {
                    out.append('(');
                }
                for (int i = 0; i < a.options().size(); i++) {
                    if (i > 0) {
                        out.append(a.options().get(i - 1) instanceof Expr.Seq s && s.items().isEmpty() ? "| " : " | ");
                    }
                    print(a.options().get(i), out, 0);
                }
                if (prec > 0) {
                    out.append(')');
                }
            }
            case Expr.Seq s -> {
                boolean paren = prec > 1 || (prec == 1 && s.items().isEmpty());
                if (paren) {
                    out.append('(');
                }
                for (int i = 0; i < s.items().size(); i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    print(s.items().get(i), out, 1);
                }
                if (paren) {
                    out.append(')');
                }
            }
            case Expr.Repeat r -> {
                boolean literalOperand = r.item() instanceof Expr.Literal l && l.text().codePointCount(0, l.text().length()) > 1;
                print(r.item(), out, literalOperand ? 1 : 2);
                int min = r.min();
                int max = r.max();
                if (min == 0 && max == 1) {
                    out.append('?');
                } else if (min == 0 && max == Expr.Repeat.UNBOUNDED) {
                    out.append('*');
                } else if (min == 1 && max == Expr.Repeat.UNBOUNDED) {
                    out.append('+');
                } else if (min == max) {
                    out.append('{').append(min).append('}');
                } else {
                    out.append('{').append(min).append(',').append(max == Expr.Repeat.UNBOUNDED ? "" : Integer.toString(max)).append('}');
                }
            }
            case Expr.Literal l -> {
                out.append('"');
                l.text().codePoints().forEach(cp -> appendChar(out, cp, false));
                out.append('"');
            }
            case Expr.CharClass c -> {
                if (c.negated() && c.ranges().length == 0) {
                    out.append('.');
                    return;
                }
                out.append(c.negated() ? "[^" : "[");
                int[] r = c.ranges();
                for (int i = 0; i < r.length; i += 2) {
                    appendChar(out, r[i], true);
                    if (r[i + 1] != r[i]) {
                        if (r[i + 1] > r[i] + 1) {
                            out.append('-');
                        }
                        appendChar(out, r[i + 1], true);
                    }
                }
                out.append(']');
            }
            case Expr.Ref r -> out.append(r.name());
            case Expr.Token t -> out.append(t.negated() ? "!" : "").append("<[").append(t.id()).append("]>");
        }
    }

    private static void appendChar(StringBuilder out, int cp, boolean inClass) {
        switch (cp) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '\\' -> out.append("\\\\");
            default -> {
                if (cp == '"' && !inClass) {
                    out.append("\\\"");
                } else if (inClass && (cp == ']' || cp == '-')) {
                    out.append('\\').append((char) cp);
                } else if (inClass && cp == '^') {
                    out.append("\\x5E");
                } else if (cp < 0x20 || cp == 0x7F) {
                    out.append(String.format("\\x%02X", cp));
                } else if (cp >= 0x80 && (Character.getType(cp) == Character.CONTROL || Character.getType(cp) == Character.FORMAT
                        || Character.getType(cp) == Character.UNASSIGNED || Character.isWhitespace(cp) || Character.isSpaceChar(cp))) {
                    out.append(cp <= 0xFFFF ? String.format("\\u%04X", cp) : String.format("\\U%08X", cp));
                } else {
                    out.appendCodePoint(cp);
                }
            }
        }
    }
}
