package io.infernet.chat.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses an assistant's output into content, reasoning and tool calls, either whole
 * ({@link #parse}) or as it streams ({@link #feed} each text delta, then {@link #finish}). Both
 * are the same machine: the deltas of a stream always add up ({@link ParsedMessage#fold}) to the
 * whole-output parse, however the text was split. It holds back only text that may still be the
 * start of a marker (a partial {@code <tool_call>} or {@code </think>}), or a tool call it has not
 * yet recognised as one.
 *
 * <p>Rules, per llama-server where it has one:
 * <ul>
 *   <li>Reasoning is recognised at the start of the output (or from the start when
 *       {@link ParserOptions#promptTail()} left a block open). Reasoning that never ends is
 *       reasoning. Whitespace around reasoning, leading whitespace of the message, and whitespace
 *       between and after tool calls are dropped.</li>
 *   <li>A tool call that turns out malformed before its name was reported stays text: the whole
 *       of it, markers included, goes to content. After that, a break ends the call as incomplete
 *       ({@link ToolCall#complete()} false) and the rest is read again as content. Text after
 *       tool calls is content. Nothing is thrown for any model output.</li>
 * </ul>
 * One instance per generation; not thread-safe.
 */
public final class ChatOutputParser {

    private final OutputFormat format;
    private final ParserOptions options;
    private final Emitter emitter = new Emitter();
    private final Sink sink = new Sink();
    /** Output not read yet, from {@code pos} on. */
    private final StringBuilder input = new StringBuilder();
    private int pos;
    /** Text given back to be read again before {@code input} (a fallback's raw text), from {@code replayPos} on. */
    private final StringBuilder replay = new StringBuilder();
    private int replayPos;
    private Mode mode;
    private boolean finished;

    public ChatOutputParser(OutputFormat format, ParserOptions options) {
        this.format = Objects.requireNonNull(format, "format");
        this.options = Objects.requireNonNull(options, "options");
        Dialect dialect = format.dialect();
        if (dialect.harmony()) {
            mode = new HarmonyReader(sink, options.parseToolCalls(), options.extractReasoning());
            return;
        }
        ReasoningSyntax reasoning = options.extractReasoning() ? format.reasoning() : null;
        if (reasoning != null && reasoning.opensIn(options.promptTail())) {
            mode = new ReasoningMode(reasoning);
            return;
        }
        for (Dialect.Trigger t : dialect.triggers()) {
            // even without tools: Functionary v3.2's prompt ends with ">>>", and "all\n" then opens the content
            if (t.text().length() >= 3 && !t.startOnly() && options.promptTail().endsWith(t.text())) {
                mode = new ReaderMode(t, 0, true);
                return;
            }
        }
        mode = new StartMode(reasoning);
    }

    /** Parses a whole output. */
    public static ParsedMessage parse(OutputFormat format, String output, ParserOptions options) {
        ChatOutputParser parser = new ChatOutputParser(format, options);
        parser.feed(output);
        parser.finish();
        return parser.message();
    }

    /** Takes the next piece of output; returns the deltas it completes (often none, never null). */
    public List<ChatDelta> feed(String text) {
        if (finished) {
            throw new IllegalStateException("feed after finish");
        }
        input.append(text);
        drain();
        return emitter.takeBatch();
    }

    /** The output ended: releases everything held back and closes any open call. */
    public List<ChatDelta> finish() {
        if (finished) {
            throw new IllegalStateException("finish called twice");
        }
        drain();
        while (true) {
            Mode before = mode;
            mode.finish();
            if (mode == before && pos == input.length() && replayPos == replay.length()) {
                break;
            }
            drain();
        }
        if (emitter.callOpen()) {
            emitter.end(false);
        }
        finished = true;
        return emitter.takeBatch();
    }

    /** The message so far; after {@link #finish()} the whole parse. */
    public ParsedMessage message() {
        return emitter.message();
    }

    public OutputFormat format() {
        return format;
    }

    private void drain() {
        while (true) {
            if (replayPos < replay.length()) {
                mode.accept(replay.charAt(replayPos++));
            } else if (pos < input.length()) {
                replay.setLength(0);
                replayPos = 0;
                mode.accept(input.charAt(pos++));
            } else {
                break;
            }
        }
        replay.setLength(0);
        replayPos = 0;
        input.setLength(0);
        pos = 0;
    }

    /** Makes {@code text} the next input to read, before what is still queued. */
    private void requeue(String text) {
        replay.insert(replayPos, text);
    }

    /** A state of the parser. */
    interface Mode {
        void accept(char c);

        void finish();
    }

    /**
     * Before anything: leading whitespace, then the reasoning start marker, or a lone end marker
     * (an empty block whose start the prompt held), or the body.
     */
    private final class StartMode implements Mode {
        private final ReasoningSyntax reasoning;
        private final StringBuilder matched = new StringBuilder();

        StartMode(ReasoningSyntax reasoning) {
            this.reasoning = reasoning;
        }

        @Override
        public void accept(char c) {
            if (matched.isEmpty() && Character.isWhitespace(c)) {
                return;
            }
            matched.append(c);
            if (reasoning != null) {
                String soFar = matched.toString();
                if (reasoning.start().startsWith(soFar)) {
                    if (soFar.equals(reasoning.start())) {
                        mode = new ReasoningMode(reasoning);
                    }
                    return;
                }
                if (reasoning.end().startsWith(soFar)) {
                    if (soFar.equals(reasoning.end())) {
                        mode = new ContentMode(true, true);
                    }
                    return;
                }
            }
            toBody();
        }

        @Override
        public void finish() {
            toBody();
        }

        private void toBody() {
            mode = new ContentMode(false, true);
            requeue(matched.toString());
        }
    }

    /** Inside reasoning, until its end marker. */
    private final class ReasoningMode implements Mode {
        private final ReasoningSyntax reasoning;
        private final MarkerScanner scanner;
        private final StringBuilder released = new StringBuilder();
        private final StringBuilder trailingSpace = new StringBuilder();
        private boolean started;

        ReasoningMode(ReasoningSyntax reasoning) {
            this.reasoning = reasoning;
            List<String> markers = new ArrayList<>();
            markers.add(reasoning.end());
            if (format.dialect().reasoningEndsAtTrigger() && options.parseToolCalls()) {
                for (Dialect.Trigger t : format.dialect().triggers()) {
                    markers.add(t.text());
                }
            }
            this.scanner = new MarkerScanner(markers);
        }

        @Override
        public void accept(char c) {
            if (!started && Character.isWhitespace(c)) {
                return;
            }
            started = true;
            released.setLength(0);
            String marker = scanner.accept(c, released);
            emit(released);
            if (marker != null) {
                mode = new ContentMode(true, true);
                if (!marker.equals(reasoning.end())) {
                    requeue(marker);
                }
            }
        }

        @Override
        public void finish() {
            released.setLength(0);
            released.append(scanner.flush());
            emit(released);
        }

        /** Reasoning text, except trailing whitespace, which waits to see whether more follows. */
        private void emit(CharSequence text) {
            int end = text.length();
            while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
                end--;
            }
            if (end > 0) {
                emitter.reasoning(trailingSpace + text.subSequence(0, end).toString());
                trailingSpace.setLength(0);
            }
            trailingSpace.append(text, end, text.length());
        }
    }

    /**
     * Content, watching for triggers and for markers to drop. At the start of the body (nothing
     * shown yet) whitespace is dropped and start-only triggers count.
     */
    private final class ContentMode implements Mode {
        private final MarkerScanner scanner;
        private final StringBuilder released = new StringBuilder();
        private boolean dropSpace;
        private boolean atStart;

        ContentMode(boolean dropLeadingSpace, boolean atStart) {
            this.dropSpace = dropLeadingSpace;
            this.atStart = atStart;
            this.scanner = new MarkerScanner(markers(atStart));
        }

        private List<String> markers(boolean includeStartOnly) {
            List<String> markers = new ArrayList<>(format.dialect().stripMarkers());
            if (options.parseToolCalls()) {
                for (Dialect.Trigger t : format.dialect().triggers()) {
                    if (includeStartOnly || !t.startOnly()) {
                        markers.add(t.text());
                    }
                }
            }
            return markers;
        }

        @Override
        public void accept(char c) {
            if (dropSpace) {
                if (Character.isWhitespace(c)) {
                    return;
                }
                dropSpace = false;
            }
            released.setLength(0);
            String marker = scanner.accept(c, released);
            if (atStart) {
                int firstVisible = 0;
                while (firstVisible < released.length() && Character.isWhitespace(released.charAt(firstVisible))) {
                    firstVisible++;
                }
                released.delete(0, firstVisible);
            }
            if (!released.isEmpty()) {
                emitter.content(released.toString());
                if (atStart) {
                    atStart = false;
                    scanner.setMarkers(markers(false));
                }
            }
            if (marker == null || format.dialect().stripMarkers().contains(marker)) {
                return;
            }
            for (Dialect.Trigger t : format.dialect().triggers()) {
                if (t.text().equals(marker)) {
                    mode = new ReaderMode(t, 0, false);
                    return;
                }
            }
        }

        @Override
        public void finish() {
            String rest = scanner.flush();
            emitter.content(atStart ? rest.stripLeading() : rest);
        }
    }

    /** A call reader at work, with what it read, to give back as content if it fails early. */
    private final class ReaderMode implements Mode {
        private final Dialect.Trigger trigger;
        private final int candidate;
        private final boolean triggerInPrompt;
        private final CallReader reader;
        private final StringBuilder raw = new StringBuilder();

        ReaderMode(Dialect.Trigger trigger, int candidate, boolean triggerInPrompt) {
            this.trigger = trigger;
            this.candidate = candidate;
            this.triggerInPrompt = triggerInPrompt;
            this.reader = trigger.readers().get(candidate).get();
            this.reader.attach(sink);
        }

        @Override
        public void accept(char c) {
            raw.append(c);
            switch (reader.accept(c)) {
                case MORE -> {
                }
                case DONE -> mode = new ContentMode(reader.calls() > 0, false);
                case DONE_REJECT -> rejected();
                case FAIL -> {
                    if (reader.committed()) {
                        rejected();
                    } else {
                        fallBack();
                    }
                }
            }
        }

        @Override
        public void finish() {
            if (reader.finish()) {
                mode = new ContentMode(true, false);
            } else {
                fallBack();
            }
        }

        /** The calls are over; what the reader did not use is content. */
        private void rejected() {
            if (emitter.callOpen()) {
                emitter.end(false);
            }
            mode = new ContentMode(false, false);
            requeue(reader.leftover());
        }

        private void fallBack() {
            if (candidate + 1 < trigger.readers().size()) {
                mode = new ReaderMode(trigger, candidate + 1, triggerInPrompt);
            } else {
                if (!triggerInPrompt) {
                    emitter.content(trigger.text());
                }
                mode = new ContentMode(false, false);
            }
            requeue(raw.toString());
        }
    }

    /** What readers report to. */
    private final class Sink implements CallSink {
        @Override
        public boolean knownTool(String name) {
            return options.parseToolCalls() && (options.tools().isEmpty() || options.tools().containsKey(name));
        }

        @Override
        public ArgumentValues.Kind parameterKind(String tool, String parameter) {
            return ArgumentValues.kindOf(options.tools().get(tool), parameter);
        }

        @Override
        public String newId() {
            return options.idGenerator().get();
        }

        @Override
        public void start(String id, String name) {
            emitter.start(id, name);
        }

        @Override
        public void arguments(String piece) {
            emitter.arguments(piece);
        }

        @Override
        public void end(boolean complete) {
            emitter.end(complete);
        }

        @Override
        public void content(String text) {
            emitter.content(text);
        }

        @Override
        public void reasoning(String text) {
            emitter.reasoning(text);
        }
    }
}
