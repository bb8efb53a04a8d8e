package io.infernet.chat.template.jinja;

import io.infernet.chat.template.InputSpans;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A template value, with the semantics of llama.cpp's Jinja engine (which prompts must match byte
 * for byte): integers are 64-bit, floats are doubles, strings are Java strings whose length and
 * slices count UTF-8 bytes, arrays and objects are mutable and shared by reference, an object keeps
 * its keys in insertion order. There is no way from a value to a Java object other than these.
 *
 * <p>Each value also carries usage marks ({@link #used()}, {@link #ops()}), set only while a
 * template runs in analysis mode: they tell which parts of the input a template reads and how,
 * from which its capabilities are inferred. A value is confined to the render that created it.
 */
public abstract sealed class Value permits Value.Undefined, Value.None, Value.Numeric, Value.Str,
        Value.Array, Value.Obj, Value.Func, Value.Kwarg {

    private boolean used;
    private Set<String> ops;

    /** Whether an analysed render read this value. */
    public boolean used() {
        return used;
    }

    /** How an analysed render used this value: builtins called on it, tests applied, {@code array_access}, {@code object_access}. */
    public Set<String> ops() {
        return ops == null ? Set.of() : ops;
    }

    final void markUsed() {
        used = true;
    }

    final void addOp(String op) {
        if (ops == null) {
            ops = new HashSet<>();
        }
        ops.add(op);
    }

    /** Marks this value and everything inside it as used. */
    final void markUsedDeep() {
        used = true;
        switch (this) {
            case Array a -> a.items.forEach(Value::markUsedDeep);
            case Obj o -> o.entries.values().forEach(e -> {
                e.key.markUsedDeep();
                e.value.markUsedDeep();
            });
            default -> { }
        }
    }

    /** The type as error messages name it. */
    abstract String typeName();

    /** Truthiness; functions and keyword arguments have none. */
    boolean truthy() {
        throw EvalError.render(typeName() + " is not a bool value");
    }

    /** The value as text ({@code str()}); undefined and functions have none. */
    String asString() {
        throw EvalError.render(typeName() + " is not a string value");
    }

    long asInt() {
        throw EvalError.render(typeName() + " is not an int value");
    }

    double asFloat() {
        throw EvalError.render(typeName() + " is not a float value");
    }

    boolean isNumeric() {
        return false;
    }

    boolean isHashable() {
        return false;
    }

    boolean isImmutable() {
        return true;
    }

    boolean isUndefined() {
        return false;
    }

    /** {@code ==} of the template language. */
    abstract boolean equivalent(Value other);

    /** How the value shows inside the text of a list or dict ({@code repr}). */
    String repr() {
        return asString();
    }

    // --- scalars ---------------------------------------------------------------------------

    /** A missing variable or attribute; {@code hint} names what was missing. */
    public static final class Undefined extends Value {
        final String hint;

        Undefined(String hint) {
            this.hint = hint;
        }

        @Override
        String typeName() {
            return hint.isEmpty() ? "Undefined" : "Undefined (hint: '" + hint + "')";
        }

        @Override
        boolean truthy() {
            return false;
        }

        @Override
        boolean isUndefined() {
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            return other.isUndefined();
        }

        @Override
        String repr() {
            return typeName();
        }
    }

    public static final class None extends Value {
        @Override
        String typeName() {
            return "None";
        }

        @Override
        boolean truthy() {
            return false;
        }

        @Override
        String asString() {
            return "None";
        }

        @Override
        boolean isHashable() {
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            return other instanceof None;
        }
    }

    /** A number of any of the three numeric kinds: compares by its integer and float views together. */
    abstract static sealed class Numeric extends Value permits Bool, Int, Flt {
        abstract long intView();

        abstract double floatView();

        @Override
        boolean isNumeric() {
            return true;
        }

        @Override
        boolean isHashable() {
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            return other instanceof Numeric n && intView() == n.intView() && floatView() == n.floatView();
        }
    }

    public static final class Bool extends Numeric {
        final boolean value;

        Bool(boolean value) {
            this.value = value;
        }

        @Override
        String typeName() {
            return "Boolean";
        }

        @Override
        long intView() {
            return value ? 1 : 0;
        }

        @Override
        double floatView() {
            return value ? 1 : 0;
        }

        @Override
        boolean truthy() {
            return value;
        }

        @Override
        long asInt() {
            return intView();
        }

        @Override
        String asString() {
            return value ? "True" : "False";
        }
    }

    public static final class Int extends Numeric {
        final long value;

        Int(long value) {
            this.value = value;
        }

        @Override
        String typeName() {
            return "Integer";
        }

        @Override
        long intView() {
            return value;
        }

        @Override
        double floatView() {
            double f = value;
            return (long) f == value ? f : (value < 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }

        @Override
        boolean truthy() {
            return value != 0;
        }

        @Override
        long asInt() {
            return value;
        }

        @Override
        double asFloat() {
            return floatView();
        }

        @Override
        String asString() {
            return Long.toString(value);
        }
    }

    public static final class Flt extends Numeric {
        final double value;

        Flt(double value) {
            this.value = value;
        }

        @Override
        String typeName() {
            return "Float";
        }

        @Override
        long intView() {
            return Double.isFinite(value) ? (long) value : 0;
        }

        @Override
        double floatView() {
            return value;
        }

        @Override
        boolean truthy() {
            return value != 0.0;
        }

        @Override
        long asInt() {
            return intView();
        }

        @Override
        double asFloat() {
            return value;
        }

        @Override
        String asString() {
            return NumberText.fixed(value);
        }
    }

    public static final class Str extends Value {
        final String value;
        /** The characters that came from input data (the conversation), not from the template. */
        final InputSpans input;

        Str(String value) {
            this(value, InputSpans.NONE);
        }

        Str(String value, InputSpans input) {
            this.value = value;
            this.input = input;
        }

        /** Whether any character came from input data. */
        boolean hasInput() {
            return !input.isEmpty();
        }

        /** {@code substring(from, to)} with its input spans. */
        Str sub(int from, int to) {
            return new Str(value.substring(from, to), input.sub(from, to));
        }

        @Override
        String typeName() {
            return "String";
        }

        @Override
        boolean truthy() {
            return !value.isEmpty();
        }

        @Override
        String asString() {
            return value;
        }

        @Override
        boolean isHashable() {
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            return other instanceof Str s && value.equals(s.value);
        }

        @Override
        String repr() {
            return value.indexOf('\'') >= 0 ? JsonText.write(this, -1, ", ", ": ") : "'" + value + "'";
        }

        /** Length in UTF-8 bytes, as llama.cpp counts. */
        int byteLength() {
            return isAscii(value) ? value.length() : value.getBytes(StandardCharsets.UTF_8).length;
        }

        static boolean isAscii(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    // --- containers ------------------------------------------------------------------------

    /** A list; {@link Tuple} is the immutable kind. */
    public static sealed class Array extends Value permits Tuple {
        final ArrayList<Value> items;

        Array(Collection<Value> items) {
            this.items = new ArrayList<>(items);
        }

        Array() {
            this.items = new ArrayList<>();
        }

        /** The items, read-only. */
        public List<Value> items() {
            return java.util.Collections.unmodifiableList(items);
        }

        /** Item {@code i}, or null past the end. */
        public Value get(int i) {
            return i >= 0 && i < items.size() ? items.get(i) : null;
        }

        void add(Value v) {
            if (isImmutable()) {
                throw EvalError.render("Attempting to modify immutable type");
            }
            items.add(v);
        }

        @Override
        String typeName() {
            return "Array";
        }

        @Override
        boolean isImmutable() {
            return false;
        }

        @Override
        boolean truthy() {
            return !items.isEmpty();
        }

        @Override
        String asString() {
            boolean tuple = isImmutable();
            StringBuilder s = new StringBuilder(tuple ? "(" : "[");
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    s.append(", ");
                }
                s.append(items.get(i).repr());
            }
            if (tuple && items.size() == 1) {
                s.append(',');
            }
            return s.append(tuple ? ')' : ']').toString();
        }

        @Override
        boolean isHashable() {
            for (Value v : items) {
                if (!v.isImmutable() || !v.isHashable()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            if (other.getClass() != getClass() || !isHashable() || !other.isHashable()) {
                return false;
            }
            List<Value> them = ((Array) other).items;
            if (them.size() != items.size()) {
                return false;
            }
            for (int i = 0; i < items.size(); i++) {
                if (!items.get(i).equivalent(them.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    public static final class Tuple extends Array {
        Tuple(Collection<Value> items) {
            super(items);
        }

        @Override
        String typeName() {
            return "Tuple";
        }

        @Override
        boolean isImmutable() {
            return true;
        }
    }

    /** A dict: keys are strings, numbers, None or tuples of those, kept in insertion order. */
    public static final class Obj extends Value {
        /** One key and its value; the key object is the first one inserted. */
        static final class Entry {
            final Value key;
            Value value;

            Entry(Value key, Value value) {
                this.key = key;
                this.value = value;
            }
        }

        final LinkedHashMap<Object, Entry> entries = new LinkedHashMap<>();
        /** False for the {@code loop} object, whose attributes must not resolve to dict methods. */
        final boolean hasBuiltins;

        Obj(boolean hasBuiltins) {
            this.hasBuiltins = hasBuiltins;
        }

        Obj() {
            this(true);
        }

        /** The value at a string key, or null. */
        public Value get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value;
        }

        /** The value at a key, or null; throws for a key of an unhashable type. */
        Value get(Value key) {
            Entry e = entries.get(hashKey(key));
            return e == null ? null : e.value;
        }

        boolean has(Value key) {
            return entries.containsKey(hashKey(key));
        }

        void put(Value key, Value value) {
            Object k = hashKey(key);
            Entry e = entries.get(k);
            if (e != null) {
                e.value = value;
            } else {
                entries.put(k, new Entry(key, value));
            }
        }

        void put(String key, Value value) {
            put(new Str(key), value);
        }

        int size() {
            return entries.size();
        }

        Collection<Entry> entryList() {
            return entries.values();
        }

        @Override
        String typeName() {
            return "Object";
        }

        @Override
        boolean isImmutable() {
            return false;
        }

        @Override
        boolean truthy() {
            return !entries.isEmpty();
        }

        @Override
        String asString() {
            StringBuilder s = new StringBuilder("{");
            boolean first = true;
            for (Entry e : entries.values()) {
                if (!first) {
                    s.append(", ");
                }
                first = false;
                s.append(e.key.repr()).append(": ").append(e.value.repr());
            }
            return s.append('}').toString();
        }

        @Override
        boolean isHashable() {
            for (Entry e : entries.values()) {
                if (!e.value.isImmutable() || !e.value.isHashable()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            if (!(other instanceof Obj o) || !isHashable() || !o.isHashable() || o.entries.size() != entries.size()) {
                return false;
            }
            var mine = entries.values().iterator();
            var theirs = o.entries.values().iterator();
            while (mine.hasNext()) {
                Entry a = mine.next();
                Entry b = theirs.next();
                if (!a.key.equivalent(b.key) || !a.value.equivalent(b.value)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The identity of a dict key: equal for keys the template language holds equal. */
    static Object hashKey(Value key) {
        return switch (key) {
            case Str s -> s.value;
            case Numeric n -> new NumberKey(n.intView(), n.floatView() == 0.0 ? 0.0 : n.floatView());
            case None none -> NoneKey.INSTANCE;
            case Tuple t when t.isHashable() -> t.items.stream().map(Value::hashKey).toList();
            default -> throw EvalError.render("Object key of unhashable type: " + key.typeName());
        };
    }

    private record NumberKey(long intView, double floatView) {}

    private enum NoneKey { INSTANCE }

    // --- functions -------------------------------------------------------------------------

    /** The body of a function: receives its arguments, the bound value first for a method. */
    @FunctionalInterface
    interface Handler {
        Value call(Args args);

        /** A method of {@code receiver} values: the call is checked ({@code args.types(1, receiver)}), then {@code body} maps the receiver. */
        static <T extends Value> Handler of(Class<T> receiver, java.util.function.Function<T, Value> body) {
            return args -> {
                args.types(1, receiver);
                return body.apply(receiver.cast(args.pos(0)));
            };
        }
    }

    /** A builtin, a bound method or a macro. */
    public static final class Func extends Value {
        final String name;
        final Handler handler;
        /** The value a method is bound to (passed as the first argument), or null. */
        final Value self;

        Func(String name, Handler handler, Value self) {
            this.name = name;
            this.handler = handler;
            this.self = self;
        }

        Value invoke(Args args) {
            return handler.call(self == null ? args.named(name) : args.withSelf(name, self));
        }

        @Override
        String typeName() {
            return "Function";
        }

        @Override
        boolean equivalent(Value other) {
            return other instanceof Func f && f.handler == handler;
        }

        @Override
        String repr() {
            return "Function<" + name + ">(" + (self == null ? "" : self.repr()) + ")";
        }
    }

    /** A {@code name=value} argument in flight to a function. */
    public static final class Kwarg extends Value {
        final String key;
        final Value value;

        Kwarg(String key, Value value) {
            this.key = key;
            this.value = value;
        }

        @Override
        String typeName() {
            return "KwArg";
        }

        @Override
        boolean isHashable() {
            return true;
        }

        @Override
        boolean equivalent(Value other) {
            return other instanceof Kwarg k && key.equals(k.key) && value == k.value;
        }

        @Override
        String repr() {
            return "KwArg";
        }
    }

    // --- construction ----------------------------------------------------------------------

    static Str str(String s, InputSpans input) {
        return new Str(Objects.requireNonNull(s), input);
    }

    /**
     * The printed text of a value with its input spans: a string as it is, a number or boolean as
     * template text, anything else ({@code str()} of a list or dict) wholly input when any string
     * inside it is (kept apart from special-token parsing, whatever the template's text in it).
     */
    static Str printed(Value v) {
        if (v instanceof Str s) {
            return s;
        }
        String text = v.asString();
        return new Str(text, containsInput(v) ? InputSpans.all(text.length()) : InputSpans.NONE);
    }

    /** Whether a string anywhere in {@code v} (keys included) came from input data. */
    static boolean containsInput(Value v) {
        return switch (v) {
            case Str s -> s.hasInput();
            case Array a -> a.items.stream().anyMatch(Value::containsInput);
            case Obj o -> o.entries.values().stream().anyMatch(e -> containsInput(e.key) || containsInput(e.value));
            default -> false;
        };
    }

    static Str str(String s) {
        return new Str(Objects.requireNonNull(s));
    }

    static Bool bool(boolean b) {
        return new Bool(b);
    }

    static Undefined undefined(String hint) {
        return new Undefined(hint);
    }

    static Array array(List<Value> items) {
        return new Array(items);
    }

    /** A fresh dict of string keys, for the globals of a render. */
    static Obj objectOf(Map<String, Value> map) {
        Obj o = new Obj();
        map.forEach(o::put);
        return o;
    }
}
