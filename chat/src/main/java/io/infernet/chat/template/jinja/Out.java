package io.infernet.chat.template.jinja;

import io.infernet.chat.template.InputSpans;
import io.infernet.chat.template.PromptText;

/** Text being built, with the spans of it that came from input data ({@link Value.Str#input}). Single-threaded. */
final class Out {
    private final StringBuilder text;
    private final InputSpans.Builder input = new InputSpans.Builder();

    Out() {
        this(16);
    }

    Out(int capacity) {
        this.text = new StringBuilder(capacity);
    }

    /** Template text. */
    Out append(String s) {
        text.append(s);
        return this;
    }

    Out append(String s, InputSpans spans) {
        input.addAll(spans, text.length());
        text.append(s);
        return this;
    }

    Out append(Value.Str s) {
        return append(s.value, s.input);
    }

    /** Text of which every character is input. */
    Out appendInput(String s) {
        input.add(text.length(), text.length() + s.length());
        text.append(s);
        return this;
    }

    int length() {
        return text.length();
    }

    boolean isEmpty() {
        return text.isEmpty();
    }

    Value.Str toStr() {
        return new Value.Str(text.toString(), input.build());
    }

    PromptText toPrompt() {
        return new PromptText(text.toString(), input.build());
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
