package io.infernet.chat.template.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one call: positional and keyword values in call order (keyword ones as
 * {@link Value.Kwarg}), the bound value first for a method or a filter. {@link #scope} is the
 * caller's scope (a macro body runs in a child of it), {@link #run} the render in progress.
 */
final class Args {
    final Interpreter run;
    final Scope scope;
    final String name;
    private final List<Value> values;

    Args(Interpreter run, Scope scope, String name, List<Value> values) {
        this.run = run;
        this.scope = scope;
        this.name = name;
        this.values = values;
    }

    Args(Interpreter run, Scope scope, List<Value> values) {
        this(run, scope, "", values);
    }

    Args named(String function) {
        return new Args(run, scope, function, values);
    }

    Args withSelf(String function, Value self) {
        List<Value> all = new ArrayList<>(values.size() + 1);
        all.add(self);
        all.addAll(values);
        return new Args(run, scope, function, all);
    }

    int count() {
        return values.size();
    }

    List<Value> all() {
        return values;
    }

    /** Argument {@code i} (keyword arguments included, as they come). */
    Value pos(int i) {
        if (i < values.size()) {
            return values.get(i);
        }
        throw EvalError.render("function '" + name + "' expected at least " + (i + 1) + " arguments, got " + values.size());
    }

    Value pos(int i, Value fallback) {
        return i < values.size() ? values.get(i) : fallback;
    }

    /** The keyword argument {@code key}, or {@code fallback}. */
    Value kwarg(String key, Value fallback) {
        for (Value v : values) {
            if (v instanceof Value.Kwarg k && k.key.equals(key)) {
                return k.value;
            }
        }
        return fallback;
    }

    /** The keyword argument {@code key}, else the positional one at {@code i}, else undefined. */
    Value kwargOrPos(String key, int i) {
        Value v = kwarg(key, null);
        if (v != null) {
            return v;
        }
        if (i < values.size() && !(values.get(i) instanceof Value.Kwarg)) {
            return values.get(i);
        }
        return Value.undefined("");
    }

    void count(int min, int max) {
        int n = values.size();
        if (n < min || n > max) {
            throw EvalError.render("function '" + name + "' expected between " + min + " and " + max + " arguments, got " + n);
        }
    }

    /** At least {@code required} arguments, the first ones of these types where present. */
    void types(int required, Class<?>... types) {
        count(required, 999);
        for (int i = 0; i < types.length && i < required && i < values.size(); i++) {
            if (!types[i].isInstance(values.get(i))) {
                throw EvalError.render("function '" + name + "' expected argument " + (i + 1) + " of type " + types[i].getSimpleName()
                        + ", got " + values.get(i).typeName());
            }
        }
    }
}
