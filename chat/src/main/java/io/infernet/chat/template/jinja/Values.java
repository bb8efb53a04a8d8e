package io.infernet.chat.template.jinja;

import com.fasterxml.jackson.databind.JsonNode;

/** Template values from plain data: the only way in, so that a template never reaches a Java object. */
public final class Values {
    private Values() {}

    /** A fresh tree: objects keep their key order, integral numbers that fit 64 bits are integers, other numbers doubles. */
    public static Value fromJson(JsonNode json) {
        return JsonText.fromJson(json);
    }

    public static Value of(String s) {
        return Value.str(s);
    }

    public static Value of(boolean b) {
        return Value.bool(b);
    }
}
