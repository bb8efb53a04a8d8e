package io.infernet.chat.parse;

import java.util.List;
import java.util.Set;

/**
 * Reads calls written as JSON objects ({@code {"name": ..., "arguments": {...}}}, with the field
 * spellings of all families: {@code name}/{@code tool_name}, {@code arguments}/{@code parameters},
 * {@code id}/{@code tool_call_id}, a nested OpenAI {@code function} object, or the name as the only
 * key). One object, an array of them, or a run of them, then closing literals.
 *
 * <p>It commits a call (reports its id and name) as soon as the name is known, or when the object
 * ends if the format puts an id after the arguments; arguments stream, compacted, from then on.
 */
final class JsonCallReader extends CallReader {

    /** How the calls after the trigger are laid out. */
    enum Layout {
        /** One object. */
        OBJECT,
        /** A JSON array of objects. */
        ARRAY,
        /** An array or a single object. */
        ARRAY_OR_OBJECT,
        /** Objects one after another, separated by whitespace or commas (MiniMax-M1). */
        OBJECTS
    }

    /**
     * @param layout      how calls are laid out
     * @param open        optional literal before the JSON (a code fence), null for none
     * @param close       literals after the JSON, in order; a missing one at the end of output is tolerated
     * @param insideFirst the trigger itself was the opening brace of the first object
     * @param nameIsKey   each object is {@code {"NAME": {arguments}}} (Apertus)
     * @param waitForId   the id may follow the arguments: commit only once the id or the object end is seen
     */
    record Config(Layout layout, String open, List<String> close, boolean insideFirst, boolean nameIsKey, boolean waitForId) {
        Config {
            close = List.copyOf(close);
        }

        static Config object(String... close) {
            return new Config(Layout.OBJECT, null, List.of(close), false, false, false);
        }

        static Config array(String... close) {
            return new Config(Layout.ARRAY, null, List.of(close), false, false, false);
        }
    }

    private static final Set<String> NAME_KEYS = Set.of("name", "tool_name");
    private static final Set<String> ARGUMENT_KEYS = Set.of("arguments", "parameters");
    private static final Set<String> ID_KEYS = Set.of("id", "tool_call_id");

    private enum State {
        OPEN, START, ARRAY_FIRST, ARRAY_NEXT, ARRAY_AFTER, OBJECTS_AFTER,
        KEY_FIRST, KEY_NEXT, VALUE_START, VALUE, AFTER_VALUE, CLOSE, DONE
    }

    private enum ValueRole { NAME, ID, ARGUMENTS, ARGUMENTS_STRING, IGNORED }

    private final Config config;
    private State state;
    private int openPos;
    private int closeIndex;
    private int closePos;
    private final StringBuilder literalSoFar = new StringBuilder();

    // the object being read
    private int depth;
    private boolean firstKeyOfCall;
    private JsonScanner scanner;
    private JsonKeyReader keyReader;
    private String key;
    private ValueRole role;
    private String name;
    private String id;
    private boolean argumentsSeen;
    private final StringBuilder bufferedArguments = new StringBuilder();
    private boolean inArray;

    JsonCallReader(Config config) {
        this.config = config;
        if (config.insideFirst()) {
            beginObject();
        } else {
            state = config.open() != null ? State.OPEN : State.START;
        }
    }

    @Override
    Step accept(char c) {
        switch (state) {
            case OPEN -> {
                if (openPos == 0 && JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (openPos == 0 && c != config.open().charAt(0)) {
                    state = State.START;
                    return accept(c);
                }
                if (c != config.open().charAt(openPos)) {
                    return fail(c);
                }
                if (++openPos == config.open().length()) {
                    state = State.START;
                }
                return Step.MORE;
            }
            case START -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (c == '[' && config.layout() != Layout.OBJECT && config.layout() != Layout.OBJECTS) {
                    inArray = true;
                    state = State.ARRAY_FIRST;
                    return Step.MORE;
                }
                if (c == '{' && config.layout() != Layout.ARRAY) {
                    beginObject();
                    return Step.MORE;
                }
                return fail(c);
            }
            case ARRAY_FIRST, ARRAY_NEXT -> {
                if (JsonScanner.isSpace(c)) {
                    return Step.MORE;
                }
                if (c == '{') {
                    beginObject();
                    return Step.MORE;
                }
                if (c == ']' && state == State.ARRAY_FIRST) {
                    return startClose();
                }
                return fail(c);
            }
            case ARRAY_AFTER -> {
                return c == ']' ? startClose() : between(c, State.ARRAY_NEXT);
            }
            case OBJECTS_AFTER -> {
                if (JsonScanner.isSpace(c) || c == ',') {
                    return Step.MORE;
                }
                if (c == '{') {
                    beginObject();
                    return Step.MORE;
                }
                if (config.close().isEmpty()) {
                    state = State.DONE;
                    return over(String.valueOf(c), true);
                }
                startClose();
                return accept(c);
            }
            case KEY_FIRST, KEY_NEXT -> {
                if (c == '}' && state == State.KEY_FIRST && depth > 1 && keyReader == null) {
                    return endObject(c);
                }
                if (keyReader == null) {
                    if (JsonScanner.isSpace(c)) {
                        return Step.MORE;
                    }
                    keyReader = new JsonKeyReader();
                }
                JsonKeyReader.Result r = keyReader.accept(c);
                if (r == JsonKeyReader.Result.ERROR) {
                    return fail(c);
                }
                if (r == JsonKeyReader.Result.DONE) {
                    key = keyReader.key();
                    keyReader = null;
                    state = State.VALUE_START;
                }
                return Step.MORE;
            }
            case VALUE_START -> {
                return valueStart(c);
            }
            case VALUE -> {
                return value(c);
            }
            case AFTER_VALUE -> {
                return c == '}' ? endObject(c) : between(c, State.KEY_NEXT);
            }
            case CLOSE -> {
                return close(c);
            }
            default -> throw new IllegalStateException("reader is done");
        }
    }

    /** After an item, before its list's closing character: spaces are skipped, a comma moves to {@code next}, anything else fails. */
    private Step between(char c, State next) {
        if (JsonScanner.isSpace(c)) {
            return Step.MORE;
        }
        if (c == ',') {
            state = next;
            return Step.MORE;
        }
        return fail(c);
    }

    private void beginObject() {
        depth = 1;
        firstKeyOfCall = true;
        name = null;
        id = null;
        argumentsSeen = false;
        bufferedArguments.setLength(0);
        state = State.KEY_FIRST;
    }

    private Step valueStart(char c) {
        if (JsonScanner.isSpace(c)) {
            return Step.MORE;
        }
        boolean first = firstKeyOfCall;
        firstKeyOfCall = false;
        if (config.nameIsKey() && depth == 1 && first) {
            name = key;
            role = ValueRole.ARGUMENTS;
            if (!tryCommit(false)) {
                return fail(c);
            }
        } else if (key.equals("function") && c == '{' && depth == 1) {
            depth = 2;
            state = State.KEY_FIRST;
            return Step.MORE;
        } else if ((NAME_KEYS.contains(key) || (key.equals("function") && depth == 1)) && c == '"') {
            role = ValueRole.NAME;
        } else if (ID_KEYS.contains(key)) {
            role = ValueRole.ID;
        } else if (ARGUMENT_KEYS.contains(key) && (c == '{' || c == '"')) {
            role = c == '{' ? ValueRole.ARGUMENTS : ValueRole.ARGUMENTS_STRING;
        } else if (NAME_KEYS.contains(key) || ARGUMENT_KEYS.contains(key)) {
            return fail(c);
        } else {
            role = ValueRole.IGNORED;
        }
        if (role == ValueRole.ARGUMENTS) {
            if (c != '{' || argumentsSeen) {
                return fail(c);
            }
            argumentsSeen = true;
        }
        scanner = new JsonScanner();
        state = State.VALUE;
        return value(c);
    }

    private Step value(char c) {
        JsonScanner.Result r = scanner.accept(c);
        if (r == JsonScanner.Result.ERROR) {
            return fail(c);
        }
        if (role == ValueRole.ARGUMENTS) {
            String piece = scanner.drain();
            if (callOpen()) {
                sink.arguments(piece);
            } else {
                bufferedArguments.append(piece);
            }
        }
        if (r == JsonScanner.Result.MORE) {
            return Step.MORE;
        }
        switch (role) {
            case NAME -> name = ArgumentValues.decodeString(scanner.text());
            case ID -> id = scanner.text().startsWith("\"") ? ArgumentValues.decodeString(scanner.text()) : scanner.text();
            case ARGUMENTS_STRING -> {
                if (argumentsSeen) {
                    return fail(c);
                }
                argumentsSeen = true;
                String compact = ArgumentValues.compactJson(ArgumentValues.decodeString(scanner.text()).strip());
                if (compact == null || !compact.startsWith("{")) {
                    return fail(c);
                }
                bufferedArguments.append(compact);
                if (callOpen()) {
                    sink.arguments(bufferedArguments.toString());
                    bufferedArguments.setLength(0);
                }
            }
            default -> {
            }
        }
        state = State.AFTER_VALUE;
        if (!tryCommit(false)) {
            return fail(c);
        }
        return r == JsonScanner.Result.DONE_REJECT ? accept(c) : Step.MORE;
    }

    /** Commits the call when enough is known; false when the name is blank or not an offered tool. */
    private boolean tryCommit(boolean objectEnded) {
        if (callOpen() || name == null) {
            return true;
        }
        if (name.isBlank() || !sink.knownTool(name)) {
            return false;
        }
        if (config.waitForId() && id == null && !objectEnded) {
            return true;
        }
        openCall(id != null ? id : sink.newId(), name);
        if (!bufferedArguments.isEmpty()) {
            sink.arguments(bufferedArguments.toString());
            bufferedArguments.setLength(0);
        }
        return true;
    }

    private Step endObject(char c) {
        if (depth > 1) {
            depth--;
            state = State.AFTER_VALUE;
            return Step.MORE;
        }
        if (name == null || !tryCommit(true)) {
            return fail(c);
        }
        if (!argumentsSeen) {
            sink.arguments("{}");
        }
        closeCall(true);
        if (config.layout() == Layout.OBJECT || (config.layout() == Layout.ARRAY_OR_OBJECT && !inArray)) {
            return startClose();
        }
        state = config.layout() == Layout.OBJECTS ? State.OBJECTS_AFTER : State.ARRAY_AFTER;
        return Step.MORE;
    }

    private Step startClose() {
        closeIndex = 0;
        closePos = 0;
        literalSoFar.setLength(0);
        state = config.close().isEmpty() ? State.DONE : State.CLOSE;
        return state == State.DONE ? Step.DONE : Step.MORE;
    }

    private Step close(char c) {
        String literal = config.close().get(closeIndex);
        if (closePos == 0 && JsonScanner.isSpace(c)) {
            return Step.MORE;
        }
        if (c != literal.charAt(closePos)) {
            literalSoFar.append(c);
            return fail(c);
        }
        literalSoFar.append(c);
        if (++closePos == literal.length()) {
            closePos = 0;
            literalSoFar.setLength(0);
            if (++closeIndex == config.close().size()) {
                state = State.DONE;
                return Step.DONE;
            }
        }
        return Step.MORE;
    }

    private Step fail(char c) {
        if (state == State.CLOSE) {
            return over(literalSoFar.toString(), true);
        }
        return over(String.valueOf(c), false);
    }

}
