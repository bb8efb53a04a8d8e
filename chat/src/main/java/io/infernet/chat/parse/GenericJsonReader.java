package io.infernet.chat.parse;

/**
 * Reads llama.cpp's generic format, for models whose template has no tool syntax: the whole
 * output is one JSON object, {@code {"tool_call": {"name": ..., "arguments": {...}}}},
 * {@code {"tool_calls": [...]}} or {@code {"response": "text"}}. The response text streams as
 * content. Anything else is plain content. The trigger is the opening brace.
 */
final class GenericJsonReader extends CallReader {

    private enum State { KEY, VALUE_START, RESPONSE, RESPONSE_JSON, INNER, CLOSE }

    private static final java.util.Set<String> KEYS = java.util.Set.of("response", "tool_call", "tool_calls");

    private State state = State.KEY;
    private final JsonKeyReader keyReader = new JsonKeyReader();
    private JsonScanner scanner;
    private JsonCallReader inner;
    private boolean escape;
    private int hexLeft;
    private int hex;
    private String key;

    @Override
    Step accept(char c) {
        switch (state) {
            case KEY -> {
                JsonKeyReader.Result r = keyReader.accept(c);
                if (r == JsonKeyReader.Result.ERROR || (keyReader.key() != null && !KEYS.contains(keyReader.key()))) {
                    return fail(c);
                }
                if (r == JsonKeyReader.Result.DONE) {
                    key = keyReader.key();
                    state = State.VALUE_START;
                }
                return Step.MORE;
            }
            case VALUE_START -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (key.equals("response")) {
                    if (c == '"') {
                        state = State.RESPONSE;
                        return Step.MORE;
                    }
                    scanner = new JsonScanner();
                    state = State.RESPONSE_JSON;
                    return accept(c);
                }
                inner = new JsonCallReader(key.equals("tool_call") ? JsonCallReader.Config.object() : JsonCallReader.Config.array());
                inner.attach(sink);
                state = State.INNER;
                return accept(c);
            }
            case RESPONSE -> {
                return responseChar(c);
            }
            case RESPONSE_JSON -> {
                JsonScanner.Result r = scanner.accept(c);
                if (r == JsonScanner.Result.ERROR) {
                    return fail(c);
                }
                if (r == JsonScanner.Result.MORE) {
                    return Step.MORE;
                }
                content(scanner.text());
                state = State.CLOSE;
                return r == JsonScanner.Result.DONE_REJECT ? accept(c) : Step.MORE;
            }
            case INNER -> {
                Step s = inner.accept(c);
                return switch (s) {
                    case MORE -> Step.MORE;
                    case DONE -> {
                        if (inner.committed()) {
                            commit();
                        }
                        state = State.CLOSE;
                        yield Step.MORE;
                    }
                    default -> {
                        if (!inner.committed()) {
                            yield Step.FAIL;
                        }
                        commit();
                        yield over(inner.leftover(), true);
                    }
                };
            }
            case CLOSE -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (c == '}') {
                    return Step.DONE;
                }
                return fail(c);
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    @Override
    boolean finish() {
        if (state == State.INNER) {
            return inner.finish();
        }
        if (state == State.RESPONSE_JSON && scanner.completeAtEnd()) {
            content(scanner.text());
        }
        return committed();
    }

    /** One character of the response string, decoded. */
    private Step responseChar(char c) {
        if (hexLeft > 0) {
            int digit = Character.digit(c, 16);
            if (digit < 0) {
                return fail(c);
            }
            hex = hex * 16 + digit;
            if (--hexLeft == 0) {
                content(String.valueOf((char) hex));
            }
            return Step.MORE;
        }
        if (escape) {
            escape = false;
            switch (c) {
                case '"', '\\', '/' -> content(String.valueOf(c));
                case 'b' -> content("\b");
                case 'f' -> content("\f");
                case 'n' -> content("\n");
                case 'r' -> content("\r");
                case 't' -> content("\t");
                case 'u' -> {
                    hexLeft = 4;
                    hex = 0;
                }
                default -> {
                    return fail(c);
                }
            }
            return Step.MORE;
        }
        if (c == '\\') {
            escape = true;
            return Step.MORE;
        }
        if (c == '"') {
            state = State.CLOSE;
            return Step.MORE;
        }
        if (c < 0x20) {
            return fail(c);
        }
        content(String.valueOf(c));
        return Step.MORE;
    }

    private Step fail(char c) {
        return over(String.valueOf(c), true);
    }
}
