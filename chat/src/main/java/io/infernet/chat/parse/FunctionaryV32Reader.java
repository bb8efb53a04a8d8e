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
    private boolean callOpen;
    private String leftover = "";

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
                    sink.start(sink.newId(), name.toString());
                    callOpen = true;
                    arguments = new JsonScanner();
                }
                JsonScanner.Result r = arguments.accept(c);
                if (r == JsonScanner.Result.ERROR) {
                    sink.end(false);
                    callOpen = false;
                    leftover = String.valueOf(c);
                    return Step.FAIL;
                }
                sink.arguments(arguments.drain());
                if (r == JsonScanner.Result.DONE) {
                    sink.end(true);
                    callOpen = false;
                    return Step.DONE;
                }
                return Step.MORE;
            }
            case CODE -> {
                StringBuilder released = new StringBuilder();
                String marker = codeScanner.accept(c, released);
                code.append(released);
                if (marker != null) {
                    reportCode();
                    leftover = marker;
                    return Step.DONE_REJECT;
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
            return true;
        }
        if (callOpen) {
            sink.end(false);
            callOpen = false;
            return true;
        }
        return false;
    }

    @Override
    String leftover() {
        return leftover;
    }

    private void reportCode() {
        sink.start(sink.newId(), "python");
        sink.arguments("{\"code\":" + ArgumentValues.quote(code.toString().strip()) + "}");
        sink.end(true);
    }
}
