package io.infernet.chat.parse;

import java.util.List;

/**
 * Reads calls written as a sequence of literals, a name, an optional id and JSON arguments:
 * {@code <function=NAME>{...}</function>} (Functionary v3.1), {@code NAME[CALL_ID]ID[ARGS]{...}}
 * (Mistral), {@code <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{...}<｜tool▁call▁end｜>} (DeepSeek),
 * {@code <|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{...}<|tool_call_end|>}
 * (Kimi-K2). Whitespace before each literal is allowed. A call commits when its arguments start.
 */
final class SequenceCallReader extends CallReader {

    /** A part of a call as the parser reads it. */
    sealed interface Part permits Lit, OptionalLit, Name, Id, Arguments {}

    /** A literal, trimmed; whitespace before it is skipped. */
    record Lit(String text) implements Part {
        Lit {
            text = text.strip();
        }
    }

    /** A literal that may be absent (a code fence). */
    record OptionalLit(String text) implements Part {}

    /** The function name: letters, digits, {@code _ - .}. */
    record Name() implements Part {}

    /**
     * A call id: characters up to whitespace, {@code <} or {@code [}. When {@code namePrefix} is
     * set, the id is {@code namePrefix NAME :INDEX} (Kimi-K2) and carries the name.
     */
    record Id(String namePrefix) implements Part {}

    /** The arguments, a JSON object. */
    record Arguments() implements Part {}

    /**
     * @param call        the parts of one call, after the trigger for the first one
     * @param nextCall    literal that starts each further call in the same section, null when the
     *                    trigger itself precedes every call
     * @param sectionEnd  literal closing the section, null when none
     */
    record Config(List<Part> call, String nextCall, String sectionEnd) {
        Config {
            call = List.copyOf(call);
            if (nextCall != null && !call.getFirst().equals(new Lit(nextCall))) {
                throw new IllegalArgumentException("nextCall must be the call's first literal");
            }
        }
    }

    private final Config config;
    private final LiteralMatcher literal = new LiteralMatcher();
    private int part;
    private final StringBuilder token = new StringBuilder();
    private String name;
    private String id;
    private JsonScanner arguments;
    private boolean argumentsDone;
    private boolean betweenCalls;

    SequenceCallReader(Config config) {
        this.config = config;
        enterPart(0);
    }

    @Override
    Step accept(char c) {
        if (betweenCalls) {
            int r = literal.accept(c);
            if (r == LiteralMatcher.MORE) {
                return Step.MORE;
            }
            if (r == LiteralMatcher.NONE) {
                return over(literal.matched(), true);
            }
            betweenCalls = false;
            if (config.sectionEnd() != null && r == 1) {
                return Step.DONE;
            }
            startCall();
            return Step.MORE;
        }
        Part p = config.call().get(part);
        switch (p) {
            case Lit l -> {
                int r = literal.accept(c);
                if (r == LiteralMatcher.NONE) {
                    return fail(literal.matched());
                }
                if (r != LiteralMatcher.MORE) {
                    return advance();
                }
                return Step.MORE;
            }
            case OptionalLit l -> {
                if (token.isEmpty() && JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                token.append(c);
                if (!l.text().startsWith(token.toString())) {
                    if (token.length() > 1) {
                        return fail(token.toString());
                    }
                    return advanceThenReread(c);
                }
                return token.length() == l.text().length() ? advance() : Step.MORE;
            }
            case Name n -> {
                if (isNameChar(c)) {
                    token.append(c);
                    return Step.MORE;
                }
                if (token.isEmpty()) {
                    return fail(String.valueOf(c));
                }
                name = token.toString();
                return advanceThenReread(c);
            }
            case Id idPart -> {
                if (!Character.isWhitespace(c) && c != '<' && c != '[') {
                    token.append(c);
                    return Step.MORE;
                }
                if (token.isEmpty()) {
                    return fail(String.valueOf(c));
                }
                id = token.toString();
                if (idPart.namePrefix() != null) {
                    name = nameFromId(id, idPart.namePrefix());
                    if (name == null) {
                        return fail(String.valueOf(c));
                    }
                }
                return advanceThenReread(c);
            }
            case Arguments a -> {
                if (arguments == null) {
                    if (JsonScanner.isSpace(c)) {
                        return Step.MORE;
                    }
                    if (c != '{' || name == null || !sink.knownTool(name)) {
                        return fail(String.valueOf(c));
                    }
                    openCall(id != null ? id : sink.newId(), name);
                    arguments = new JsonScanner();
                }
                JsonScanner.Result r = arguments.accept(c);
                if (r == JsonScanner.Result.ERROR) {
                    return fail(String.valueOf(c));
                }
                sink.arguments(arguments.drain());
                if (r == JsonScanner.Result.DONE) {
                    argumentsDone = true;
                    return advance();
                }
                return Step.MORE;
            }
        }
    }

    @Override
    boolean finish() {
        closeCall(argumentsDone);
        return committed();
    }

    /** A further call of the section, whose opening literal was just matched. */
    private void startCall() {
        name = null;
        id = null;
        arguments = null;
        argumentsDone = false;
        enterPart(1);
    }

    /** Moves past a part that ended before {@code c}, then reads {@code c} again. */
    private Step advanceThenReread(char c) {
        Step s = advance();
        if (s == Step.DONE) {
            return over(String.valueOf(c), true);
        }
        return accept(c);
    }

    private void enterPart(int index) {
        part = index;
        token.setLength(0);
        if (index < config.call().size() && config.call().get(index) instanceof Lit l) {
            literal.expect(l.text());
        }
    }

    private Step advance() {
        if (part + 1 < config.call().size()) {
            enterPart(part + 1);
            return Step.MORE;
        }
        closeCall(true);
        if (config.nextCall() == null && config.sectionEnd() == null) {
            return Step.DONE;
        }
        betweenCalls = true;
        literal.expect(config.sectionEnd() == null ? List.of(config.nextCall().strip())
                : List.of(config.nextCall().strip(), config.sectionEnd().strip()));
        return Step.MORE;
    }

    private Step fail(String rest) {
        return over(rest, argumentsDone);
    }

    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    }

    /** {@code functions.get_weather:0} to {@code get_weather}; null when the id is not of that form. */
    static String nameFromId(String id, String prefix) {
        int colon = id.lastIndexOf(':');
        if (!id.startsWith(prefix) || colon <= prefix.length()) {
            return null;
        }
        return id.substring(prefix.length(), colon);
    }
}
