package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads calls whose arguments are tagged pairs rather than JSON:
 * {@code <function=NAME><parameter=KEY>VALUE</parameter></function>} (Qwen3-Coder),
 * {@code NAME<arg_key>KEY</arg_key><arg_value>VALUE</arg_value>} (GLM),
 * {@code <invoke name="NAME"><parameter name="KEY">VALUE</parameter></invoke>} (MiniMax-M2, DeepSeek
 * DSML). Values are raw text, typed by the format's marker or the tool's schema
 * ({@link ArgumentValues}). A call commits when its name is complete; each argument is reported
 * when its closing tag arrives.
 */
final class TaggedCallReader extends CallReader {

    /** A literal that can end a key, and how the value after it is typed (null: by schema). */
    record KeyEnd(String literal, ArgumentValues.Kind kind) {}

    /**
     * @param callOpen   literal before the name ("" when the trigger ends with it)
     * @param nameEnd    literal after the name ("" when the name simply stops at a non-name character)
     * @param keyOpen    literal before each key
     * @param keyEnds    literals that can follow a key
     * @param valueOpen  literal before each value ("" for none)
     * @param valueEnd   literal after each value
     * @param callClose  literals closing a call, in order: the first ends it, the others wrap it
     * @param sectionEnd literal closing a run of calls, null when each call has its own trigger
     * @param newlineWrapped values are written on their own lines ({@code >\nVALUE\n</}): one newline
     *                       after the opening tag and one before the closing tag are not part of it
     */
    record Config(String callOpen, String nameEnd, String keyOpen, List<KeyEnd> keyEnds, String valueOpen,
                  String valueEnd, List<String> callClose, String sectionEnd, boolean newlineWrapped) {
        Config {
            keyEnds = List.copyOf(keyEnds);
            callClose = List.copyOf(callClose);
            if (sectionEnd != null && callOpen.isEmpty()) {
                throw new IllegalArgumentException("a section of calls needs a literal that opens each call");
            }
        }
    }

    private enum State { CALL_OPEN, NAME, NAME_END, NEXT, KEY, KEY_END, VALUE_OPEN, VALUE, CLOSE, BETWEEN }

    private final Config config;
    private final LiteralMatcher literal = new LiteralMatcher();
    private State state;
    private final StringBuilder token = new StringBuilder();
    private MarkerScanner valueScanner;
    private final StringBuilder value = new StringBuilder();
    private String name;
    private String key;
    private ArgumentValues.Kind kind;
    private int argumentCount;
    private int closeIndex;

    TaggedCallReader(Config config) {
        this.config = config;
        startCall();
    }

    @Override
    Step accept(char c) {
        switch (state) {
            case CALL_OPEN, NAME_END, VALUE_OPEN -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return fail(literal.matched());
                }
                if (r != LiteralMatcher.MORE) {
                    switch (state) {
                        case CALL_OPEN -> state = State.NAME;
                        case NAME_END -> {
                            return commit(c, false);
                        }
                        default -> startValue();
                    }
                }
                return Step.MORE;
            }
            case NAME -> {
                if (token.isEmpty() && JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (SequenceCallReader.isNameChar(c)) {
                    token.append(c);
                    return Step.MORE;
                }
                if (token.isEmpty()) {
                    return fail(String.valueOf(c));
                }
                name = token.toString();
                if (!config.nameEnd().isEmpty()) {
                    state = State.NAME_END;
                    literal.expect(config.nameEnd());
                    return accept(c);
                }
                return commit(c, true);
            }
            case NEXT -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return fail(literal.matched());
                }
                if (r == 0) {
                    state = State.KEY;
                    token.setLength(0);
                } else if (r == 1) {
                    return closeLiteralDone();
                }
                return Step.MORE;
            }
            case KEY -> {
                if (c != '>' && c != '<' && c != '"' && c != '\n') {
                    token.append(c);
                    return Step.MORE;
                }
                key = token.toString().strip();
                if (key.isEmpty()) {
                    return fail(String.valueOf(c));
                }
                state = State.KEY_END;
                List<String> ends = new ArrayList<>();
                for (KeyEnd e : config.keyEnds()) {
                    ends.add(e.literal());
                }
                literal.expect(ends);
                return accept(c);
            }
            case KEY_END -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return fail(literal.matched());
                }
                if (r != LiteralMatcher.MORE) {
                    ArgumentValues.Kind fixed = config.keyEnds().get(r).kind();
                    kind = fixed != null ? fixed : sink.parameterKind(name, key);
                    if (config.valueOpen().isEmpty()) {
                        startValue();
                    } else {
                        state = State.VALUE_OPEN;
                        literal.expect(config.valueOpen());
                    }
                }
                return Step.MORE;
            }
            case VALUE -> {
                String marker = valueScanner.accept(c, value);
                if (marker != null) {
                    argument();
                    expectNext();
                }
                return Step.MORE;
            }
            case CLOSE -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return fail(literal.matched());
                }
                return r == LiteralMatcher.MORE ? Step.MORE : closeLiteralDone();
            }
            case BETWEEN -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return over(literal.matched(), true);
                }
                if (r == 0) {
                    startCall();
                    state = State.NAME;
                } else if (r == 1) {
                    return Step.DONE;
                }
                return Step.MORE;
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    private void startCall() {
        name = null;
        argumentCount = 0;
        token.setLength(0);
        if (config.callOpen().isEmpty()) {
            state = State.NAME;
        } else {
            state = State.CALL_OPEN;
            literal.expect(config.callOpen());
        }
    }

    /** The name is complete: open the call. {@code reread}: {@code c} ended the name and is read again. */
    private Step commit(char c, boolean reread) {
        if (!sink.knownTool(name)) {
            return fail(String.valueOf(c));
        }
        openCall(sink.newId(), name);
        expectNext();
        return reread ? accept(c) : Step.MORE;
    }

    private void expectNext() {
        state = State.NEXT;
        literal.expect(List.of(config.keyOpen(), config.callClose().getFirst()));
    }

    private void startValue() {
        state = State.VALUE;
        value.setLength(0);
        valueScanner = new MarkerScanner(List.of(config.valueEnd()));
    }

    private void argument() {
        String raw = value.toString();
        if (config.newlineWrapped()) {
            if (raw.startsWith("\n")) {
                raw = raw.substring(1);
            }
            if (raw.endsWith("\n")) {
                raw = raw.substring(0, raw.length() - 1);
            }
        }
        String piece = (argumentCount == 0 ? "{" : ",") + ArgumentValues.quote(key) + ":" + ArgumentValues.toJson(raw, kind);
        argumentCount++;
        sink.arguments(piece);
    }

    /**
     * A close literal matched: the first (state NEXT) ends the call; later ones (state CLOSE) are
     * wrappers, tolerated when missing at the end of output.
     */
    private Step closeLiteralDone() {
        if (state == State.NEXT) {
            sink.arguments(argumentCount == 0 ? "{}" : "}");
            closeCall(true);
            closeIndex = 1;
        } else {
            closeIndex++;
        }
        if (closeIndex < config.callClose().size()) {
            state = State.CLOSE;
            literal.expect(config.callClose().get(closeIndex));
            return Step.MORE;
        }
        if (config.sectionEnd() == null) {
            return Step.DONE;
        }
        state = State.BETWEEN;
        literal.expect(List.of(config.callOpen(), config.sectionEnd()));
        return Step.MORE;
    }

    private Step fail(String rest) {
        return over(rest, false);
    }
}
