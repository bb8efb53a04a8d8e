package io.infernet.chat.template.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables of one scope: the render's globals, a loop body, a macro call. Reads fall through to
 * the enclosing scope; writes stay here (a {@code set} inside a loop does not leak out, use a
 * {@code namespace()} for that). Not thread-safe: one render, one thread.
 */
final class Scope {
    private final Scope parent;
    private final Map<String, Value> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** The value of {@code name}, or null when no scope defines it. */
    Value get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Value v = s.vars.get(name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    void set(String name, Value value) {
        vars.put(name, value);
    }

    /** This scope's own variables (not its parents'), as a copy. */
    Map<String, Value> variables() {
        return Map.copyOf(vars);
    }
}
