package io.infernet.chat.template.jinja;

import io.infernet.chat.template.TemplateException;
import io.infernet.chat.template.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens, with the whitespace rules Hugging Face applies to chat
 * templates and llama.cpp reproduces: {@code trim_blocks} and {@code lstrip_blocks} on,
 * {@code {%-}/{@code -%}} (and the {@code {{-}, {@code {#-} forms) trimming the neighbouring text,
 * line ends normalized to {@code \n}, one trailing newline dropped.
 *
 * <p>The rules are llama.cpp's, quirks included, because prompts must be byte-identical to its
 * server's: {@code trim_blocks} drops the newline after {@code %}} and {@code #}} but not after
 * {@code }}}; {@code lstrip_blocks} also strips before {@code {-}; and where a text run starts the
 * template and reaches a block over whitespace only from its second character, the whole run is
 * dropped, its first character included.
 */
final class Lexer {
    private Lexer() {}

    /** Tokens and the normalized source their positions point into. */
    record Lexed(List<Token> tokens, String source) {}

    private record Pattern(String text, Kind kind) {}

    /** Tried in order after strings, numbers and identifiers are ruled out; longest forms first. */
    private static final List<Pattern> PATTERNS = List.of(
            new Pattern("{%-", Kind.OPEN_STATEMENT), new Pattern("-%}", Kind.CLOSE_STATEMENT),
            new Pattern("{{-", Kind.OPEN_EXPRESSION), new Pattern("-}}", Kind.CLOSE_EXPRESSION),
            new Pattern("{%", Kind.OPEN_STATEMENT), new Pattern("%}", Kind.CLOSE_STATEMENT),
            new Pattern("{{", Kind.OPEN_EXPRESSION), new Pattern("}}", Kind.CLOSE_EXPRESSION),
            new Pattern("(", Kind.OPEN_PAREN), new Pattern(")", Kind.CLOSE_PAREN),
            new Pattern("{", Kind.OPEN_CURLY), new Pattern("}", Kind.CLOSE_CURLY),
            new Pattern("[", Kind.OPEN_SQUARE), new Pattern("]", Kind.CLOSE_SQUARE),
            new Pattern(",", Kind.COMMA), new Pattern(".", Kind.DOT), new Pattern(":", Kind.COLON), new Pattern("|", Kind.PIPE),
            new Pattern("<=", Kind.COMPARISON), new Pattern(">=", Kind.COMPARISON), new Pattern("==", Kind.COMPARISON),
            new Pattern("!=", Kind.COMPARISON), new Pattern("<", Kind.COMPARISON), new Pattern(">", Kind.COMPARISON),
            new Pattern("+", Kind.ADDITIVE), new Pattern("-", Kind.ADDITIVE), new Pattern("~", Kind.ADDITIVE),
            new Pattern("*", Kind.MULTIPLICATIVE), new Pattern("/", Kind.MULTIPLICATIVE), new Pattern("%", Kind.MULTIPLICATIVE),
            new Pattern("=", Kind.EQUALS));

    /** The source as the lexer sees it: {@code \r\n} and {@code \r} become {@code \n}, one final newline is dropped. */
    static String normalize(String source) {
        String src = source.replace("\r\n", "\n").replace('\r', '\n');
        if (!source.isEmpty() && source.charAt(source.length() - 1) == '\n') {
            src = src.substring(0, src.length() - 1);
        }
        return src;
    }

    static Lexed tokenize(String source) {
        String src = normalize(source);
        return new Lexed(new Scan(src).run(), src);
    }

    /** C's isspace in the C locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isWord(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    /** One pass over a normalized source. */
    private static final class Scan {
        private final String src;
        private final int n;
        private final List<Token> tokens = new ArrayList<>();
        private int pos;
        private int curlyDepth;

        Scan(String src) {
            this.src = src;
            this.n = src.length();
        }

        /** The character at {@code i}, or NUL past the end (as std::string reads at its size). */
        private char at(int i) {
            return i < n ? src.charAt(i) : '\0';
        }

        /** Whether the character {@code ahead} places after the current one is one of {@code chars}. */
        private boolean nextIs(int ahead, String chars) {
            return pos + ahead < n && chars.indexOf(src.charAt(pos + ahead)) >= 0;
        }

        private TemplateException error(String message, int at) {
            int[] lc = Positions.lineColumn(src, at);
            return new TemplateException(TemplateException.Kind.SYNTAX, message, lc[0], lc[1]);
        }

        List<Token> run() {
            while (pos < n) {
                int start = pos;
                Kind last = tokens.isEmpty() ? Kind.CLOSE_STATEMENT : tokens.getLast().kind();
                if ((last == Kind.CLOSE_STATEMENT || last == Kind.CLOSE_EXPRESSION || last == Kind.COMMENT) && text(start)) {
                    continue;
                }
                if (at(pos) == '{' && nextIs(1, "#")) {
                    comment();
                    continue;
                }
                if (at(pos) == '-' && (last == Kind.OPEN_EXPRESSION || last == Kind.OPEN_STATEMENT)) {
                    pos++;
                    if (pos >= n) {
                        break;
                    }
                }
                while (pos < n && isSpace(src.charAt(pos))) {
                    pos++;
                }
                if (pos >= n) {
                    break;
                }
                token();
            }
            return tokens;
        }

        /** Consumes the text up to the next block; returns whether it emitted a token. */
        private boolean text(int startPos) {
            boolean canDropNewline = false;
            boolean rstripPrevious = false;
            if (pos > 3) {
                char c0 = src.charAt(pos - 3);
                char c1 = src.charAt(pos - 2);
                char c2 = src.charAt(pos - 1);
                rstripPrevious = c0 == '-' && (c1 == '%' || c1 == '}' || c1 == '#') && c2 == '}';
                canDropNewline = (c1 == '#' || c1 == '%' || c1 == '-') && c2 == '}';
            }
            int start = pos;
            int end = start;
            while (pos < n && !(src.charAt(pos) == '{' && nextIs(1, "%{#"))) {
                end = ++pos;
            }
            // lstrip_blocks: whitespace between a line start and {% or {# goes
            if (at(pos) == '{' && nextIs(1, "%#-")) {
                int current = end;
                while (current > start) {
                    char c = src.charAt(current - 1);
                    if (current == 1) {
                        end = 0;
                        break;
                    }
                    if (c == '\n') {
                        end = current;
                        break;
                    }
                    if (!isSpace(c)) {
                        break;
                    }
                    current--;
                }
            }
            String text = src.substring(start, Math.max(start, end));
            if (canDropNewline && text.startsWith("\n")) {
                text = text.substring(1); // trim_blocks
            }
            if (rstripPrevious) {
                text = stripLeading(text);
            }
            if (at(pos) == '{' && nextIs(1, "{%#") && nextIs(2, "-")) {
                text = stripTrailing(text);
            }
            if (text.isEmpty()) {
                return false;
            }
            tokens.add(new Token(Kind.TEXT, text, startPos));
            return true;
        }

        private void comment() {
            int start = pos;
            pos += 2;
            StringBuilder text = new StringBuilder();
            while (!(at(pos) == '#' && nextIs(1, "}"))) {
                if (pos + 2 >= n) {
                    throw error("missing end of comment tag #}", start);
                }
                text.append(src.charAt(pos++));
            }
            tokens.add(new Token(Kind.COMMENT, text.toString(), start));
            pos += 2;
        }

        private void token() {
            char ch = src.charAt(pos);
            boolean closing = ch == '-' && nextIs(1, "%}");
            if (!closing && (ch == '-' || ch == '+')) {
                Kind last = tokens.isEmpty() ? Kind.EOF : tokens.getLast().kind();
                if (last == Kind.TEXT || last == Kind.EOF) {
                    throw error("unexpected character: " + ch, pos);
                }
                boolean binary = last == Kind.IDENTIFIER || last == Kind.NUMBER || last == Kind.STRING
                        || last == Kind.CLOSE_PAREN || last == Kind.CLOSE_SQUARE;
                if (!binary) {
                    int start = pos++;
                    String digits = number();
                    tokens.add(new Token(digits.isEmpty() ? Kind.UNARY : Kind.NUMBER, ch + digits, start));
                    return;
                }
            }
            for (Pattern p : PATTERNS) {
                if (p.text().equals("}}") && curlyDepth != 0) {
                    continue; // inside an object literal, }} closes two objects
                }
                if (src.startsWith(p.text(), pos)) {
                    tokens.add(new Token(p.kind(), p.text(), pos));
                    switch (p.kind()) {
                        case OPEN_EXPRESSION -> curlyDepth = 0;
                        case OPEN_CURLY -> curlyDepth++;
                        case CLOSE_CURLY -> curlyDepth--;
                        default -> { }
                    }
                    pos += p.text().length();
                    return;
                }
            }
            int start = pos;
            if (ch == '\'' || ch == '"') {
                pos++;
                String s = string(ch, start);
                tokens.add(new Token(Kind.STRING, s, start));
                pos++;
            } else if (isDigit(ch)) {
                tokens.add(new Token(Kind.NUMBER, number(), start));
            } else if (isWord(ch)) {
                while (pos < n && isWord(src.charAt(pos))) {
                    pos++;
                }
                tokens.add(new Token(Kind.IDENTIFIER, src.substring(start, pos), start));
            } else {
                throw error("unexpected character: " + ch, pos);
            }
        }

        /** Digits with an optional fraction ({@code 12}, {@code 1.5}); empty when none. */
        private String number() {
            int start = pos;
            while (pos < n && isDigit(src.charAt(pos))) {
                pos++;
            }
            if (pos < n && src.charAt(pos) == '.' && pos + 1 < n && isDigit(src.charAt(pos + 1))) {
                pos++;
                while (pos < n && isDigit(src.charAt(pos))) {
                    pos++;
                }
            }
            return src.substring(start, pos);
        }

        /** The body of a string literal up to (not including) its closing quote, escapes resolved. */
        private String string(char quote, int start) {
            StringBuilder s = new StringBuilder();
            while (true) {
                if (pos >= n) {
                    throw error("unterminated string literal", start);
                }
                char c = src.charAt(pos);
                if (c == quote) {
                    return s.toString();
                }
                if (c == '\\') {
                    pos++;
                    if (pos >= n) {
                        throw error("unexpected end of input after escape character", pos);
                    }
                    char e = src.charAt(pos++);
                    s.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        case 'v' -> (char) 0x0b;
                        case '\\', '\'', '"' -> e;
                        default -> throw error("unknown escape character \\" + e, pos);
                    });
                    continue;
                }
                s.append(c);
                pos++;
            }
        }

        private static String stripLeading(String s) {
            int i = 0;
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return s.substring(i);
        }

        private static String stripTrailing(String s) {
            int e = s.length();
            while (e > 0 && " \t\r\n".indexOf(s.charAt(e - 1)) >= 0) {
                e--;
            }
            return s.substring(0, e);
        }
    }
}
