package io.infernet.chat.parse;

import java.util.List;

/**
 * Reads calls that can only be told apart from text once they are complete, reporting them all
 * at once: Python-style lists up to an end marker ({@code <|tool_call_start|>[f(a=1)]<|tool_call_end|>},
 * LFM2), or everything to the end of output after {@code <|python_tag|>} (Llama 3.x builtin
 * tools, Functionary v3.1 code), which is a JSON call, a Python call, or code for the
 * {@code python} tool.
 */
final class BufferedCallReader extends CallReader {

    /** {@code brave_search.call(}: how Llama 3.1 writes a builtin tool call after the python tag. */
    private static final java.util.regex.Pattern BUILTIN_CALL = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\.call\\(");

    private final String end;
    private final StringBuilder text = new StringBuilder();

    /** @param end the marker after the calls, or null to read to the end of output (python tag) */
    BufferedCallReader(String end) {
        this.end = end;
    }

    @Override
    Step accept(char c) {
        text.append(c);
        if (end != null && text.length() >= end.length() && text.lastIndexOf(end) == text.length() - end.length()) {
            text.setLength(text.length() - end.length());
            return report() ? Step.DONE : Step.FAIL;
        }
        return Step.MORE;
    }

    @Override
    boolean finish() {
        return report();
    }

    private boolean report() {
        String body = text.toString().strip();
        List<PythonCalls.Call> calls = null;
        if (end != null || BUILTIN_CALL.matcher(body).lookingAt()) {
            calls = PythonCalls.parseList(body);
        }
        if (calls == null && end == null) {
            calls = pythonTag(body);
        }
        if (calls == null || calls.isEmpty()) {
            return false;
        }
        for (PythonCalls.Call call : calls) {
            if (!sink.knownTool(call.name())) {
                return false;
            }
        }
        for (PythonCalls.Call call : calls) {
            openCall(sink.newId(), call.name());
            sink.arguments(call.argumentsJson());
            closeCall(true);
        }
        return true;
    }

    /** After {@code <|python_tag|>}: a JSON call, a JSON object of arguments for python, or python code. */
    private static List<PythonCalls.Call> pythonTag(String body) {
        if (body.isEmpty()) {
            return null;
        }
        if (body.startsWith("{")) {
            String compact = ArgumentValues.compactJson(body);
            if (compact != null) {
                try {
                    var node = ArgumentValues.MAPPER.readTree(compact);
                    var name = node.get("name");
                    var args = node.has("parameters") ? node.get("parameters") : node.get("arguments");
                    if (name != null && name.isTextual() && args != null && args.isObject()) {
                        return List.of(new PythonCalls.Call(name.asText(), args.toString()));
                    }
                    return List.of(new PythonCalls.Call("python", compact));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("compact JSON did not parse", e);
                }
            }
        }
        return List.of(new PythonCalls.Call("python", "{\"code\":" + ArgumentValues.quote(body) + "}"));
    }
}
