package io.infernet.chat.parse;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads gpt-oss output in OpenAI's harmony format: a run of messages, each a header up to
 * {@code <|message|>} and a body up to {@code <|end|>}, {@code <|call|>} or {@code <|return|>},
 * the later ones opened by {@code <|start|>assistant}. The channel routes the body:
 * {@code analysis} to reasoning, {@code final} and {@code commentary} to content, and a recipient
 * {@code to=functions.NAME} (in the header before or after the channel) makes it a tool call with
 * JSON arguments. Output that does not start like a header is plain content.
 */
final class HarmonyReader implements ChatOutputParser.Mode {

    private static final String MESSAGE = "<|message|>";
    private static final String START = "<|start|>assistant";
    private static final String CHANNEL = "<|channel|>";
    private static final Pattern CHANNEL_NAME = Pattern.compile("<\\|channel\\|>\\s*(\\w+)");
    private static final Pattern RECIPIENT = Pattern.compile("to=([^\\s<]+)");
    private static final int MAX_HEADER = 512;

    private enum State { HEADER, BODY, BETWEEN, PLAIN }

    private enum Route { CONTENT, REASONING, CALL }

    private final CallSink sink;
    private final boolean tools;
    private final boolean reasoning;
    private State state = State.HEADER;
    private final StringBuilder header = new StringBuilder();
    private final StringBuilder between = new StringBuilder();
    private final MarkerScanner bodyScanner = new MarkerScanner(List.of("<|end|>", "<|call|>", "<|return|>"));
    private Route route;
    private JsonScanner arguments;
    private boolean argumentsDone;

    HarmonyReader(CallSink sink, boolean tools, boolean reasoning) {
        this.sink = sink;
        this.tools = tools;
        this.reasoning = reasoning;
    }

    @Override
    public void accept(char c) {
        switch (state) {
            case HEADER -> header(c);
            case BODY -> {
                StringBuilder released = new StringBuilder();
                String marker = bodyScanner.accept(c, released);
                body(released);
                if (marker != null) {
                    endMessage();
                }
            }
            case BETWEEN -> {
                if (between.isEmpty() && Character.isWhitespace(c)) {
                    return;
                }
                between.append(c);
                String soFar = between.toString();
                if (soFar.equals(START)) {
                    between.setLength(0);
                    header.setLength(0);
                    state = State.HEADER;
                } else if (soFar.equals(CHANNEL)) {
                    between.setLength(0);
                    header.setLength(0);
                    header.append(CHANNEL);
                    state = State.HEADER;
                } else if (!START.startsWith(soFar) && !CHANNEL.startsWith(soFar)) {
                    state = State.PLAIN;
                    sink.content(soFar);
                    between.setLength(0);
                }
            }
            case PLAIN -> sink.content(String.valueOf(c));
            default -> throw new IllegalStateException(state.toString());
        }
    }

    @Override
    public void finish() {
        switch (state) {
            case HEADER -> sink.content(header.toString().strip());
            case BODY -> {
                body(new StringBuilder(bodyScanner.flush()));
                if (route == Route.CALL) {
                    sink.end(argumentsDone || arguments.completeAtEnd());
                }
            }
            case BETWEEN -> sink.content(between.toString());
            default -> {
            }
        }
        header.setLength(0);
        between.setLength(0);
        state = State.PLAIN;
    }

    private void header(char c) {
        if (header.isEmpty() && Character.isWhitespace(c) && c != ' ') {
            return;
        }
        header.append(c);
        String h = header.toString();
        if (!looksLikeHeader(h) || h.length() > MAX_HEADER) {
            state = State.PLAIN;
            sink.content(h);
            return;
        }
        if (!h.endsWith(MESSAGE)) {
            return;
        }
        Matcher channel = CHANNEL_NAME.matcher(h);
        String channelName = channel.find() ? channel.group(1) : "";
        Matcher recipient = RECIPIENT.matcher(h);
        String to = recipient.find() ? recipient.group(1) : null;
        route = Route.CONTENT;
        if (to != null && tools) {
            String name = to.startsWith("functions.") ? to.substring("functions.".length()) : to;
            if (!name.isEmpty() && sink.knownTool(name)) {
                sink.start(sink.newId(), name);
                arguments = new JsonScanner();
                argumentsDone = false;
                route = Route.CALL;
            }
        } else if (channelName.equals("analysis") && reasoning) {
            route = Route.REASONING;
        }
        state = State.BODY;
    }

    /** Could {@code h} be (the start of) a message header? */
    private static boolean looksLikeHeader(String h) {
        String t = h.stripLeading();
        return prefixCompatible(t, CHANNEL) || prefixCompatible(t, "to=") || prefixCompatible(t, "<|constrain|>");
    }

    private static boolean prefixCompatible(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    private void body(CharSequence text) {
        if (text.isEmpty()) {
            return;
        }
        switch (route) {
            case CONTENT -> sink.content(text.toString());
            case REASONING -> sink.reasoning(text.toString());
            case CALL -> {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    JsonScanner.Result r;
                    if (argumentsDone) {
                        r = JsonScanner.isSpace(c) ? JsonScanner.Result.MORE : JsonScanner.Result.DONE_REJECT;
                    } else {
                        r = arguments.accept(c);
                    }
                    if (r == JsonScanner.Result.ERROR || r == JsonScanner.Result.DONE_REJECT) {
                        sink.arguments(arguments.drain());
                        sink.end(argumentsDone || arguments.completeAtEnd());
                        route = Route.CONTENT;
                        sink.content(text.subSequence(i, text.length()).toString());
                        return;
                    }
                    argumentsDone |= r == JsonScanner.Result.DONE;
                }
                sink.arguments(arguments.drain());
            }
        }
    }

    private void endMessage() {
        if (route == Route.CALL) {
            sink.end(argumentsDone || arguments.completeAtEnd());
        }
        route = null;
        state = State.BETWEEN;
    }
}
