package io.infernet.chat.parse;

import java.util.List;

/**
 * Reads one Functionary v3.2 block after {@code >>>}: {@code all\n} starts plain content (which
 * runs to the next {@code >>>}); {@code NAME\n{json}} is a call; {@code python\n} followed by
 * anything but JSON is code for the python tool, running to the next {@code >>>} or the end.
 */
final class FunctionaryV32Reader extends CallReader {

    private enum State { NAME, ARGUMENTS, CODE }

    private State state = State.NAME;
    private final StringBuilder name = new StringBuilder();
    private JsonScanner arguments;
    private MarkerScanner codeScanner;
    private final StringBuilder code = new StringBuilder();

    @Override
    Step accept(char c) {
        switch (state) {
            case NAME -> {
                if (c == '\n') {
                    if (name.toString().equals("all")) {
                        return Step.DONE;
                    }
                    if (name.isEmpty() || !sink.knownTool(name.toString())) {
                        return Step.FAIL;
                    }
                    state = State.ARGUMENTS;
                    return Step.MORE;
                }
                if (!SequenceCallReader.isNameChar(c)) {
                    return Step.FAIL;
                }
                name.append(c);
                return Step.MORE;
            }
            case ARGUMENTS -> {
                if (arguments == null) {
                    if (JsonScanner.isSpace(c)) {
                        return Step.MORE;
                    }
                    if (c != '{') {
                        if (!name.toString().equals("python")) {
                            return Step.FAIL;
                        }
                        state = State.CODE;
                        codeScanner = new MarkerScanner(List.of(">>>"));
                        return accept(c);
                    }
                    openCall(sink.newId(), name.toString());
                    arguments = new JsonScanner();
                }
                JsonScanner.Result r = arguments.accept(c);
                if (r == JsonScanner.Result.ERROR) {
                    return over(String.valueOf(c), false);
                }
                sink.arguments(arguments.drain());
                if (r == JsonScanner.Result.DONE) {
                    closeCall(true);
                    return Step.DONE;
                }
                return Step.MORE;
            }
            case CODE -> {
                String marker = codeScanner.accept(c, code);
                if (marker != null) {
                    reportCode();
                    return over(marker, true);
                }
                return Step.MORE;
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    @Override
    boolean finish() {
        if (state == State.CODE) {
            code.append(codeScanner.flush());
            reportCode();
        }
        return super.finish();
    }

    private void reportCode() {
        openCall(sink.newId(), "python");
        sink.arguments("{\"code\":" + ArgumentValues.quote(code.toString().strip()) + "}");
        closeCall(true);
    }
}
