package io.infernet.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Schema {@code pattern} (ECMA-262 syntax) as the grammar of the JSON string literals whose
 * value it matches. Patterns search (they are not implicitly anchored): an unanchored side gets any
 * text. Each character class becomes the JSON encodings of its characters, so a pattern can never
 * produce an unescaped quote, backslash or control character.
 *
 * <p>Translated: literals and escapes (d w s D W S t n r f v 0, xHH, uHHHH, u{H..} after a
 * backslash, and escaped punctuation), classes with ranges and negation, {@code .}, groups (capturing,
 * named, {@code (?:)}), alternation, {@code * + ? {n} {n,} {n,m}} (lazy too), {@code ^} and {@code $}
 * at the ends of top-level alternatives. Refused, with a {@link GrammarException} that says which:
 * lookaround, backreferences, word boundaries, Unicode properties, anchors elsewhere, counts above
 * 1000.
 */
final class RegexToGrammar {
    private static final int MAX_COUNT = 1000;
    /** ECMA-262 {@code \s}. */
    private static final int[] SPACE = CodePointSet.normalize(new int[] {
        0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x202F,
        0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF});
    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = CodePointSet.normalize(new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'});
    /** ECMA-262 {@code .}: anything but line terminators. */
    private static final int[] DOT = CodePointSet.complement(CodePointSet.normalize(new int[] {'\n', '\n', '\r', '\r', 0x2028, 0x2029}));
    private static final int[] ANY = {0, CodePointSet.MAX};

    private final String pattern;
    private final String where;
    private int pos;

    private RegexToGrammar(String pattern, String where) {
        this.pattern = pattern;
        this.where = where;
    }

    /** The content between the quotes of the JSON strings whose value matches {@code pattern}. */
    static Expr translate(String pattern, String where) {
        RegexToGrammar t = new RegexToGrammar(pattern, where);
        List<Expr> options = new ArrayList<>();
        do {
            boolean start = t.eat('^');
            Expr body = t.sequence(true);
            boolean end = false;
            if (t.pos < pattern.length() && pattern.charAt(t.pos) == '$') {
                t.pos++;
                end = true;
            }
            if (t.pos < pattern.length() && pattern.charAt(t.pos) != '|') {
                throw t.error("unexpected '" + pattern.charAt(t.pos) + "'");
            }
            Expr anyText = Expr.star(jsonChars(ANY));
            options.add(Expr.seq(start ? Expr.EMPTY : anyText, body, end ? Expr.EMPTY : anyText));
        } while (t.eat('|'));
        return Expr.alt(options);
    }

    /**
     * The JSON string encodings of one character from {@code set}: unescaped where JSON allows, and
     * one escape each for the quote, the backslash and the control characters in the set.
     */
    static Expr jsonChars(int[] set) {
        int[] raw = CodePointSet.minus(set, CodePointSet.normalize(new int[] {0, 0x1F, '"', '"', '\\', '\\', 0x7F, 0x7F}));
        List<Expr> options = new ArrayList<>();
        if (raw.length > 0) {
            int[] comp = CodePointSet.minus(CodePointSet.complement(raw), new int[] {0xD800, 0xDFFF});
            options.add(comp.length < raw.length ? Expr.chars(true, comp) : Expr.chars(false, raw));
        }
        for (int c : new int[] {'"', '\\', '\b', '\f', '\n', '\r', '\t'}) {
            if (CodePointSet.contains(set, c)) {
                options.add(Expr.literal("\\" + switch (c) {
                    case '"' -> "\"";
                    case '\\' -> "\\";
                    case '\b' -> "b";
                    case '\f' -> "f";
                    case '\n' -> "n";
                    case '\r' -> "r";
                    default -> "t";
                }));
            }
        }
        for (int c = 0; c <= 0x7F; c = c == 0x1F ? 0x7F : c + 1) {
            if (c != '\b' && c != '\f' && c != '\n' && c != '\r' && c != '\t' && CodePointSet.contains(set, c)) {
                options.add(Expr.literal(String.format("\\u%04x", c)));
            }
        }
        if (options.isEmpty()) {
            throw new GrammarException("a character class matches nothing");
        }
        return Expr.alt(options);
    }

    private Expr sequence(boolean topLevel) {
        List<Expr> items = new ArrayList<>();
        while (pos < pattern.length()) {
            char c = pattern.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            if (c == '$') {
                if (topLevel && (pos + 1 == pattern.length() || pattern.charAt(pos + 1) == '|')) {
                    break;
                }
                throw error("'$' is supported only at the end of the pattern or of a top-level alternative");
            }
            if (c == '^') {
                throw error("'^' is supported only at the start of the pattern or of a top-level alternative");
            }
            Expr atom = atom();
            items.add(quantified(atom));
        }
        return Expr.seq(items);
    }

    private Expr quantified(Expr atom) {
        while (pos < pattern.length()) {
            char c = pattern.charAt(pos);
            int min;
            int max;
            if (c == '*' || c == '+' || c == '?') {
                pos++;
                min = c == '+' ? 1 : 0;
                max = c == '?' ? 1 : Expr.Repeat.UNBOUNDED;
            } else if (c == '{' && isCount()) {
                pos++;
                min = number();
                max = min;
                if (eat(',')) {
                    max = pos < pattern.length() && Character.isDigit(pattern.charAt(pos)) ? number() : Expr.Repeat.UNBOUNDED;
                }
                if (!eat('}')) {
                    throw error("expecting '}'");
                }
                if (min > MAX_COUNT || max > MAX_COUNT) {
                    throw error("repetition counts above " + MAX_COUNT + " are not supported");
                }
                if (max != Expr.Repeat.UNBOUNDED && max < min) {
                    throw error("repetition {" + min + "," + max + "} has its maximum below its minimum");
                }
            } else {
                return atom;
            }
            eat('?'); // lazy: the same language
            atom = Expr.repeat(atom, min, max);
        }
        return atom;
    }

    /** Whether a '{' at pos starts a {n}, {n,} or {n,m} quantifier (else it is a literal brace). */
    private boolean isCount() {
        int i = pos + 1;
        int digits = 0;
        while (i < pattern.length() && Character.isDigit(pattern.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        if (i < pattern.length() && pattern.charAt(i) == ',') {
            i++;
            while (i < pattern.length() && Character.isDigit(pattern.charAt(i))) {
                i++;
            }
        }
        return i < pattern.length() && pattern.charAt(i) == '}';
    }

    private Expr atom() {
        char c = pattern.charAt(pos);
        switch (c) {
            case '(' -> {
                pos++;
                if (eat('?')) {
                    if (eat(':')) {
                        // non-capturing
                    } else if (pos < pattern.length() && pattern.charAt(pos) == '<'
                            && pos + 1 < pattern.length() && pattern.charAt(pos + 1) != '=' && pattern.charAt(pos + 1) != '!') {
                        int close = pattern.indexOf('>', pos);
                        if (close < 0) {
                            throw error("unterminated group name");
                        }
                        pos = close + 1;
                    } else {
                        throw error("lookaround and inline flags are not supported");
                    }
                }
                List<Expr> options = new ArrayList<>();
                options.add(sequence(false));
                while (eat('|')) {
                    options.add(sequence(false));
                }
                if (!eat(')')) {
                    throw error("unbalanced parentheses");
                }
                return Expr.alt(options);
            }
            case '[' -> {
                return jsonChars(charClass());
            }
            case '.' -> {
                pos++;
                return jsonChars(DOT);
            }
            case '\\' -> {
                return jsonChars(escape(false));
            }
            case '*', '+', '?' -> throw error("nothing to repeat before '" + c + "'");
            default -> {
                int cp = pattern.codePointAt(pos);
                pos += Character.charCount(cp);
                return jsonChars(new int[] {cp, cp});
            }
        }
    }

    private int[] charClass() {
        pos++; // [
        boolean negated = eat('^');
        int[] set = new int[0];
        boolean first = true;
        while (true) {
            if (pos >= pattern.length()) {
                throw error("unterminated character class");
            }
            if (pattern.charAt(pos) == ']' && !first) {
                pos++;
                break;
            }
            if (pattern.charAt(pos) == ']') { // ECMA: [] matches nothing, []] is not a class of ']'
                pos++;
                return negated ? ANY : new int[0];
            }
            first = false;
            int[] lo = classAtom();
            if (pos + 1 < pattern.length() && pattern.charAt(pos) == '-' && pattern.charAt(pos + 1) != ']' && lo.length == 2 && lo[0] == lo[1]) {
                pos++;
                int[] hi = classAtom();
                if (hi.length != 2 || hi[0] != hi[1] || hi[0] < lo[0]) {
                    throw error("bad range in character class");
                }
                set = CodePointSet.union(set, new int[] {lo[0], hi[0]});
            } else {
                set = CodePointSet.union(set, lo);
            }
        }
        return negated ? CodePointSet.complement(set) : set;
    }

    private int[] classAtom() {
        if (pattern.charAt(pos) == '\\') {
            return escape(true);
        }
        int cp = pattern.codePointAt(pos);
        pos += Character.charCount(cp);
        return new int[] {cp, cp};
    }

    private int[] escape(boolean inClass) {
        pos++; // backslash
        if (pos >= pattern.length()) {
            throw error("trailing backslash");
        }
        char e = pattern.charAt(pos++);
        return switch (e) {
            case 'd' -> DIGIT;
            case 'D' -> CodePointSet.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> CodePointSet.complement(WORD);
            case 's' -> SPACE;
            case 'S' -> CodePointSet.complement(SPACE);
            case 't' -> single('\t');
            case 'n' -> single('\n');
            case 'r' -> single('\r');
            case 'f' -> single('\f');
            case 'v' -> single(0x0B);
            case '0' -> {
                if (pos < pattern.length() && Character.isDigit(pattern.charAt(pos))) {
                    throw error("octal escapes are not supported");
                }
                yield single(0);
            }
            case 'b' -> {
                if (inClass) {
                    yield single('\b');
                }
                throw error("word boundaries (\\b) are not supported");
            }
            case 'x' -> single(hex(2));
            case 'u' -> {
                if (eat('{')) {
                    int close = pattern.indexOf('}', pos);
                    if (close < 0) {
                        throw error("unterminated \\u{...}");
                    }
                    int v;
                    try {
                        v = Integer.parseInt(pattern.substring(pos, close), 16);
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u{...}");
                    }
                    pos = close + 1;
                    yield single(v);
                }
                int v = hex(4);
                if (v >= 0xD800 && v <= 0xDBFF && pattern.startsWith("\\u", pos)) {
                    pos += 2;
                    int low = hex(4);
                    yield single(Character.toCodePoint((char) v, (char) low));
                }
                yield single(v);
            }
            default -> {
                if (Character.isLetterOrDigit(e)) {
                    throw error("the escape \\" + e + " is not supported (backreferences, \\B, \\p{...}, \\c... are not)");
                }
                yield single(e);
            }
        };
    }

    private int[] single(int cp) {
        if (cp > CodePointSet.MAX || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw error(String.format("U+%04X is not a character a JSON string can hold", cp));
        }
        return new int[] {cp, cp};
    }

    private int hex(int digits) {
        if (pos + digits > pattern.length()) {
            throw error("expecting " + digits + " hex digits");
        }
        try {
            int v = Integer.parseInt(pattern.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw error("expecting " + digits + " hex digits");
        }
    }

    private int number() {
        int start = pos;
        while (pos < pattern.length() && Character.isDigit(pattern.charAt(pos))) {
            pos++;
        }
        try {
            return Integer.parseInt(pattern.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("repetition count too large");
        }
    }

    private boolean eat(char c) {
        if (pos < pattern.length() && pattern.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private GrammarException error(String what) {
        return new GrammarException("pattern " + quote(pattern) + " at " + where + ": " + what + " (at offset " + pos + ")");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
