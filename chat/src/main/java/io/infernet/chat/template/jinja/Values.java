package io.infernet.chat.template.jinja;

import com.fasterxml.jackson.databind.JsonNode;

/** Template values from plain data: the only way in, so that a template never reaches a Java object. */
public final class Values {
    private Values() {}

    /** A fresh tree: objects keep their key order, integral numbers that fit 64 bits are integers, other numbers doubles. */
    public static Value fromJson(JsonNode json) {
        return JsonText.fromJson(json);
    }

    /**
     * As {@link #fromJson}, for data from the caller (the conversation, tools, template kwargs):
     * every string and object key is marked as input, so that {@link Template#renderMarked} can
     * tell the text it yields from the template's own. Exception: the values of {@code role} and
     * {@code type} keys that are one of the fixed names (system, user, assistant, tool, function,
     * text, ...), which templates build special tokens from.
     */
    public static Value fromInput(JsonNode json) {
        return JsonText.fromJson(json, true, null);
    }

    public static Value of(String s) {
        return Value.str(s);
    }

    public static Value of(boolean b) {
        return Value.bool(b);
    }
}
