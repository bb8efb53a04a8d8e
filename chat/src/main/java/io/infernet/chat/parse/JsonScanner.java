package io.infernet.chat.parse;

/**
 * Reads one JSON value a character at a time, checks it against the JSON grammar (RFC 8259) and
 * writes it out compactly: whitespace outside strings is dropped, everything else (key order,
 * number spelling, string escapes) is copied as written. It decides on each character, so a
 * caller can forward the compact text as it grows and be sure it is a prefix of valid JSON.
 * Not thread-safe; one instance per value.
 */
final class JsonScanner {

    /** What a character did. */
    enum Result {
        /** Consumed; the value goes on. */
        MORE,
        /** Consumed; it closed the value. */
        DONE,
        /** Not consumed: the value (a top-level number) ended just before it. */
        DONE_REJECT,
        /** Not consumed: it cannot continue a JSON value. */
        ERROR
    }

    private enum State {
        VALUE, OBJECT_FIRST, OBJECT_KEY, COLON, ARRAY_FIRST, AFTER_VALUE,
        STRING, ESCAPE, UNICODE, NUMBER, LITERAL, DONE
    }

    private enum Num { MINUS, ZERO, INT, DOT, FRAC, E, E_SIGN, EXP }

    private final StringBuilder out = new StringBuilder();
    /** Open containers, innermost last: 'o' object, 'a' array. */
    private final StringBuilder stack = new StringBuilder();
    private State state = State.VALUE;
    private boolean stringIsKey;
    private int hexLeft;
    private Num num;
    private String literal;
    private int literalPos;
    private int drained;

    Result accept(char c) {
        switch (state) {
            case VALUE:
                return value(c);
            case OBJECT_FIRST:
                if (isSpace(c)) {
                    return Result.MORE;
                }
                if (c == '}') {
                    return close(c);
                }
                return key(c);
            case OBJECT_KEY:
                return isSpace(c) ? Result.MORE : key(c);
            case COLON:
                if (isSpace(c)) {
                    return Result.MORE;
                }
                if (c != ':') {
                    return Result.ERROR;
                }
                out.append(c);
                state = State.VALUE;
                return Result.MORE;
            case ARRAY_FIRST:
                if (isSpace(c)) {
                    return Result.MORE;
                }
                if (c == ']') {
                    return close(c);
                }
                return value(c);
            case AFTER_VALUE:
                return afterValue(c);
            case STRING:
                if (c == '"') {
                    out.append(c);
                    if (stringIsKey) {
                        state = State.COLON;
                        return Result.MORE;
                    }
                    return valueDone();
                }
                if (c == '\\') {
                    state = State.ESCAPE;
                } else if (c < 0x20) {
                    return Result.ERROR;
                }
                out.append(c);
                return Result.MORE;
            case ESCAPE:
                if (c == 'u') {
                    hexLeft = 4;
                    state = State.UNICODE;
                } else if ("\"\\/bfnrt".indexOf(c) >= 0) {
                    state = State.STRING;
                } else {
                    return Result.ERROR;
                }
                out.append(c);
                return Result.MORE;
            case UNICODE:
                if (Character.digit(c, 16) < 0) {
                    return Result.ERROR;
                }
                out.append(c);
                if (--hexLeft == 0) {
                    state = State.STRING;
                }
                return Result.MORE;
            case NUMBER:
                return number(c);
            case LITERAL:
                if (c != literal.charAt(literalPos)) {
                    return Result.ERROR;
                }
                out.append(c);
                if (++literalPos == literal.length()) {
                    return valueDone();
                }
                return Result.MORE;
            default:
                throw new IllegalStateException("value already complete");
        }
    }

    /** True when the characters so far form a whole JSON value (a top-level number needs no terminator). */
    boolean completeAtEnd() {
        return state == State.DONE || (state == State.NUMBER && stack.isEmpty() && numberMayEnd());
    }

    /** The compact text so far. */
    String text() {
        return out.toString();
    }

    /** The compact text written since the previous call. */
    String drain() {
        String piece = out.substring(drained);
        drained = out.length();
        return piece;
    }

    /** The value began with '{' (as a call's arguments must). Only meaningful once a character was accepted. */
    boolean isObject() {
        return !out.isEmpty() && out.charAt(0) == '{';
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private Result value(char c) {
        if (isSpace(c)) {
            return Result.MORE;
        }
        switch (c) {
            case '{' -> {
                stack.append('o');
                state = State.OBJECT_FIRST;
            }
            case '[' -> {
                stack.append('a');
                state = State.ARRAY_FIRST;
            }
            case '"' -> {
                stringIsKey = false;
                state = State.STRING;
            }
            case 't', 'f', 'n' -> {
                literal = c == 't' ? "true" : c == 'f' ? "false" : "null";
                literalPos = 1;
                state = State.LITERAL;
            }
            case '-' -> {
                num = Num.MINUS;
                state = State.NUMBER;
            }
            default -> {
                if (c < '0' || c > '9') {
                    return Result.ERROR;
                }
                num = c == '0' ? Num.ZERO : Num.INT;
                state = State.NUMBER;
            }
        }
        out.append(c);
        return Result.MORE;
    }

    private Result key(char c) {
        if (c != '"') {
            return Result.ERROR;
        }
        out.append(c);
        stringIsKey = true;
        state = State.STRING;
        return Result.MORE;
    }

    private Result afterValue(char c) {
        if (isSpace(c)) {
            return Result.MORE;
        }
        char top = stack.charAt(stack.length() - 1);
        if (c == ',') {
            out.append(c);
            state = top == 'o' ? State.OBJECT_KEY : State.VALUE;
            return Result.MORE;
        }
        if ((c == '}' && top == 'o') || (c == ']' && top == 'a')) {
            return close(c);
        }
        return Result.ERROR;
    }

    private Result close(char c) {
        out.append(c);
        stack.setLength(stack.length() - 1);
        return valueDone();
    }

    private Result valueDone() {
        if (stack.isEmpty()) {
            state = State.DONE;
            return Result.DONE;
        }
        state = State.AFTER_VALUE;
        return Result.MORE;
    }

    private boolean numberMayEnd() {
        return num == Num.ZERO || num == Num.INT || num == Num.FRAC || num == Num.EXP;
    }

    private Result number(char c) {
        boolean digit = c >= '0' && c <= '9';
        Num next = switch (num) {
            case MINUS -> digit ? (c == '0' ? Num.ZERO : Num.INT) : null;
            case ZERO -> c == '.' ? Num.DOT : (c == 'e' || c == 'E') ? Num.E : null;
            case INT -> digit ? Num.INT : c == '.' ? Num.DOT : (c == 'e' || c == 'E') ? Num.E : null;
            case DOT, FRAC -> digit ? Num.FRAC : (num == Num.FRAC && (c == 'e' || c == 'E')) ? Num.E : null;
            case E -> digit ? Num.EXP : (c == '+' || c == '-') ? Num.E_SIGN : null;
            case E_SIGN, EXP -> digit ? Num.EXP : null;
        };
        if (next != null) {
            num = next;
            out.append(c);
            return Result.MORE;
        }
        if (!numberMayEnd()) {
            return Result.ERROR;
        }
        if (stack.isEmpty()) {
            state = State.DONE;
            return Result.DONE_REJECT;
        }
        state = State.AFTER_VALUE;
        return afterValue(c);
    }
}
