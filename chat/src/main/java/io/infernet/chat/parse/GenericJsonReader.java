package io.infernet.chat.parse;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Reads llama.cpp's generic format, for models whose template has no tool syntax: the whole
 * output is one JSON object, {@code {"tool_call": {"name": ..., "arguments": {...}}}},
 * {@code {"tool_calls": [...]}} or {@code {"response": "text"}}. The response text streams as
 * content. Anything else is plain content. The trigger is the opening brace.
 */
final class GenericJsonReader extends CallReader {

    private enum State { KEY_FIRST, KEY, COLON, VALUE_START, RESPONSE, RESPONSE_JSON, INNER, CLOSE }

    private State state = State.KEY_FIRST;
    private JsonScanner scanner;
    private JsonCallReader inner;
    private boolean committed;
    private boolean escape;
    private int hexLeft;
    private int hex;
    private String leftover = "";
    private String key;

    @Override
    Step accept(char c) {
        switch (state) {
            case KEY_FIRST -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (c != '"') {
                    return fail(c);
                }
                scanner = new JsonScanner();
                scanner.accept(c);
                state = State.KEY;
                return Step.MORE;
            }
            case KEY -> {
                JsonScanner.Result r = scanner.accept(c);
                if (r == JsonScanner.Result.ERROR) {
                    return fail(c);
                }
                if (r == JsonScanner.Result.DONE) {
                    try {
                        key = ArgumentValues.MAPPER.readValue(scanner.text(), String.class);
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("scanner accepted an invalid key", e);
                    }
                    if (!key.equals("response") && !key.equals("tool_call") && !key.equals("tool_calls")) {
                        return fail(c);
                    }
                    state = State.COLON;
                }
                return Step.MORE;
            }
            case COLON -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (c != ':') {
                    return fail(c);
                }
                state = State.VALUE_START;
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
                inner.attach(new CountingSink());
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
                        state = State.CLOSE;
                        yield Step.MORE;
                    }
                    default -> {
                        if (!committed) {
                            yield Step.FAIL;
                        }
                        leftover = inner.leftover();
                        yield s;
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
            return inner.finish() || committed;
        }
        if (state == State.RESPONSE_JSON && scanner.completeAtEnd()) {
            content(scanner.text());
        }
        return committed;
    }

    @Override
    String leftover() {
        return leftover;
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
            committed = true;
            return Step.MORE;
        }
        if (c < 0x20) {
            return fail(c);
        }
        content(String.valueOf(c));
        return Step.MORE;
    }

    private void content(String text) {
        committed = true;
        sink.content(text);
    }

    private Step fail(char c) {
        if (!committed) {
            return Step.FAIL;
        }
        leftover = String.valueOf(c);
        return Step.DONE_REJECT;
    }

    /** Passes the inner reader's reports on, noting that something was reported. */
    private final class CountingSink implements CallSink {
        @Override
        public boolean knownTool(String name) {
            return sink.knownTool(name);
        }

        @Override
        public ArgumentValues.Kind parameterKind(String tool, String parameter) {
            return sink.parameterKind(tool, parameter);
        }

        @Override
        public String newId() {
            return sink.newId();
        }

        @Override
        public void start(String id, String name) {
            committed = true;
            sink.start(id, name);
        }

        @Override
        public void arguments(String piece) {
            sink.arguments(piece);
        }

        @Override
        public void end(boolean complete) {
            sink.end(complete);
        }

        @Override
        public void content(String text) {
            sink.content(text);
        }

        @Override
        public void reasoning(String text) {
            sink.reasoning(text);
        }
    }
}
