package io.infernet.chat.template.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Methods and filters of lists and dicts, as llama.cpp implements them: {@code selectattr} and
 * {@code select} share one implementation (two arguments read an attribute, three apply a test to
 * the item, four a test to an attribute), {@code map} takes {@code attribute=} only,
 * {@code dictsort} returns a dict, {@code append} and {@code pop} change the list in place,
 * dicts have no {@code default} filter.
 */
final class CollectionMethods {
    private CollectionMethods() {}

    static final Map<String, Value.Handler> ARRAY = Map.ofEntries(
            Map.entry("default", Builtins::defaultValue),
            Map.entry("list", args -> {
                args.types(1, Value.Array.class);
                args.run.checkItems(array(args).items.size());
                return new Value.Array(array(args).items);
            }),
            Map.entry("first", args -> {
                args.types(1, Value.Array.class);
                List<Value> items = array(args).items;
                return items.isEmpty() ? Value.undefined("") : items.getFirst();
            }),
            Map.entry("last", args -> {
                args.types(1, Value.Array.class);
                List<Value> items = array(args).items;
                return items.isEmpty() ? Value.undefined("") : items.getLast();
            }),
            Map.entry("length", args -> {
                args.types(1, Value.Array.class);
                return new Value.Int(array(args).items.size());
            }),
            Map.entry("slice", args -> {
                args.count(1, 4);
                args.types(2, Value.Array.class, Value.Int.class);
                long[] ssp = StringMethods.sliceBounds(args);
                Value.Array a = array(args);
                args.run.checkItems(a.items.size());
                List<Value> picked = new ArrayList<>();
                for (int i : Strings.sliceIndices(a.items.size(), ssp[0], ssp[1], ssp[2])) {
                    picked.add(a.items.get(i));
                }
                return sameKind(a, picked);
            }),
            Map.entry("selectattr", args -> select(args, false)),
            Map.entry("select", args -> select(args, false)),
            Map.entry("rejectattr", args -> select(args, true)),
            Map.entry("reject", args -> select(args, true)),
            Map.entry("join", CollectionMethods::join),
            Map.entry("string", text(Value.Array.class)),
            Map.entry("tojson", Builtins::tojson),
            Map.entry("map", CollectionMethods::map),
            Map.entry("append", args -> {
                args.count(2, 999);
                if (!(args.pos(0) instanceof Value.Array a)) {
                    throw EvalError.render("append: first argument must be an array");
                }
                args.run.checkItems(a.items.size() + 1L);
                a.add(args.pos(1));
                return a;
            }),
            Map.entry("pop", args -> {
                args.count(1, 2);
                args.types(1, Value.Array.class);
                Value.Array a = array(args);
                if (a.isImmutable()) {
                    throw EvalError.render("Attempting to modify immutable type");
                }
                long index = args.count() == 2 ? args.pos(1).asInt() : -1;
                if (index < 0) {
                    index += a.items.size();
                }
                if (index < 0 || index >= a.items.size()) {
                    throw EvalError.render("Index " + index + " out of bounds for array of size " + a.items.size());
                }
                return a.items.remove((int) index);
            }),
            Map.entry("sort", CollectionMethods::sort),
            Map.entry("reverse", args -> {
                args.types(1, Value.Array.class);
                args.run.checkItems(array(args).items.size());
                List<Value> items = new ArrayList<>(array(args).items);
                Collections.reverse(items);
                return sameKind(array(args), items);
            }),
            Map.entry("min", args -> extreme(args, Builtins.Compare.LT)),
            Map.entry("max", args -> extreme(args, Builtins.Compare.GT)),
            Map.entry("unique", args -> {
                throw EvalError.notImplemented("unique of a list");
            }));

    static final Map<String, Value.Handler> OBJECT = Map.ofEntries(
            Map.entry("get", args -> {
                args.count(2, 3);
                if (!(args.pos(0) instanceof Value.Obj o)) {
                    throw EvalError.render("get: first argument must be an object");
                }
                if (!(args.pos(1) instanceof Value.Str key)) {
                    throw EvalError.render("get: second argument must be a string (key)");
                }
                Value v = o.get(key);
                return v != null ? v : args.count() == 3 ? args.pos(2) : new Value.None();
            }),
            Map.entry("keys", args -> entries(args, e -> e.key)),
            Map.entry("values", args -> entries(args, e -> e.value)),
            Map.entry("items", args -> entries(args, e -> new Value.Tuple(List.of(e.key, e.value)))),
            Map.entry("tojson", Builtins::tojson),
            Map.entry("string", text(Value.Obj.class)),
            Map.entry("length", Value.Handler.of(Value.Obj.class, v -> new Value.Int(v.size()))),
            Map.entry("dictsort", CollectionMethods::dictsort),
            Map.entry("join", args -> {
                throw EvalError.notImplemented("join of a dict");
            }));

    /** {@code string}: the Python-like text of the list or dict, which reads all of it. */
    private static Value.Handler text(Class<? extends Value> type) {
        return args -> {
            args.types(1, type);
            if (args.run.analyse) {
                args.pos(0).markUsedDeep();
            }
            Value.Str printed = Value.printed(args.pos(0));
            return args.run.str(printed.value, printed.input);
        };
    }

    private static Value.Array array(Args args) {
        return (Value.Array) args.pos(0);
    }

    /** A list of the same kind (tuple or list) as {@code like}. */
    private static Value.Array sameKind(Value.Array like, List<Value> items) {
        return like instanceof Value.Tuple ? new Value.Tuple(items) : new Value.Array(items);
    }

    private static Value select(Args args, boolean reject) {
        args.count(2, 4);
        args.types(2, Value.Array.class, Value.Str.class);
        List<Value> items = array(args).items;
        args.run.checkItems(items.size());
        Value attribute = args.pos(1);
        Value.Array out = new Value.Array();
        if (args.count() == 2) {
            for (Value item : items) {
                if (!(item instanceof Value.Obj o)) {
                    throw EvalError.render("selectattr: item is not an object");
                }
                Value v = o.get(attribute);
                if ((v != null && v.truthy()) != reject) {
                    out.items.add(item);
                }
            }
            return out;
        }
        boolean onItem = args.count() == 3;
        String testName = (onItem ? args.pos(1) : args.pos(2)).asString();
        Value operand = onItem ? args.pos(2) : args.pos(3);
        Value.Handler test = Builtins.GLOBALS.get("test_is_" + testName);
        if (test == null) {
            throw EvalError.render("selectattr: unknown test '" + testName + "'");
        }
        for (Value item : items) {
            Value subject = item;
            if (!onItem) {
                if (!(item instanceof Value.Obj o)) {
                    throw EvalError.render("selectattr: item is not an object");
                }
                Value v = o.get(attribute);
                subject = v != null ? v : Value.undefined("");
            }
            boolean pass = test.call(new Args(args.run, args.scope, "test_is_" + testName, List.of(subject, operand))).truthy();
            if (pass != reject) {
                out.items.add(item);
            }
        }
        return out;
    }

    private static Value join(Args args) {
        args.count(1, 3);
        if (!(args.pos(0) instanceof Value.Array a)) {
            throw EvalError.render("join() first argument must be an array");
        }
        Value delimiter = args.kwargOrPos("d", 1);
        Value attribute = args.kwargOrPos("attribute", 2);
        boolean byIndex = attribute instanceof Value.Int;
        if (!attribute.isUndefined() && !(attribute instanceof Value.Str) && !byIndex) {
            throw EvalError.render("join() attribute must be string or integer");
        }
        Value.Str sep = delimiter.isUndefined() ? Value.str("") : Value.printed(delimiter);
        args.run.checkItems(a.items.size());
        Out out = new Out();
        for (int i = 0; i < a.items.size(); i++) {
            Value v = a.items.get(i);
            if (!attribute.isUndefined()) {
                if (byIndex && v instanceof Value.Array inner) {
                    v = at(inner, attribute.asInt());
                } else if (!byIndex && v instanceof Value.Obj o) {
                    v = require(o, attribute);
                }
            }
            if (!(v instanceof Value.Str) && !(v instanceof Value.Int) && !(v instanceof Value.Flt)) {
                throw EvalError.render("join() can only join arrays of strings or numerics");
            }
            out.append(Value.printed(v));
            if (i < a.items.size() - 1) {
                out.append(sep);
            }
            args.run.checkChars(out.length());
        }
        return args.run.str(out);
    }

    private static Value map(Args args) {
        args.count(2, 999);
        if (!(args.pos(0) instanceof Value.Array a)) {
            throw EvalError.render("map: first argument must be an array");
        }
        if (!(args.all().get(1) instanceof Value.Kwarg)) {
            throw EvalError.notImplemented("map with a filter name (only map(attribute=...) is)");
        }
        Value attribute = args.kwargOrPos("attribute", 1);
        boolean byIndex = attribute instanceof Value.Int;
        if (!(attribute instanceof Value.Str) && !byIndex) {
            throw EvalError.render("map: attribute must be string or integer");
        }
        Value fallback = args.kwarg("default", Value.undefined(""));
        args.run.checkItems(a.items.size());
        List<Value> out = new ArrayList<>();
        for (Value item : a.items) {
            Value v = null;
            if (byIndex && item instanceof Value.Array inner) {
                long i = attribute.asInt();
                i = i < 0 ? i + inner.items.size() : i;
                v = i >= 0 && i < inner.items.size() ? inner.items.get((int) i) : null;
            } else if (!byIndex && item instanceof Value.Obj o) {
                v = o.get(attribute);
            }
            out.add(v != null ? v : fallback);
        }
        return sameKind(a, out);
    }

    private static Value sort(Args args) {
        args.count(1, 4);
        if (!(args.pos(0) instanceof Value.Array a)) {
            throw EvalError.render("sort: first argument must be an array");
        }
        boolean reverse = args.kwargOrPos("reverse", 1).truthy();
        Value attribute = args.kwargOrPos("attribute", 3);
        boolean byIndex = attribute instanceof Value.Int;
        Builtins.Compare less = reverse ? Builtins.Compare.GT : Builtins.Compare.LT;
        Comparator<Value> order = (x, y) -> {
            Value kx = x;
            Value ky = y;
            if (!attribute.isUndefined()) {
                if (byIndex && x instanceof Value.Array ax && y instanceof Value.Array ay) {
                    kx = at(ax, attribute.asInt());
                    ky = at(ay, attribute.asInt());
                } else if (!byIndex && x instanceof Value.Obj ox && y instanceof Value.Obj oy) {
                    kx = require(ox, attribute);
                    ky = require(oy, attribute);
                } else {
                    throw EvalError.render("sort: unsupported object attribute comparison between " + x.typeName() + " and " + y.typeName());
                }
            }
            return Builtins.compare(kx, ky, less) ? -1 : Builtins.compare(ky, kx, less) ? 1 : 0;
        };
        args.run.checkItems(a.items.size());
        List<Value> items = new ArrayList<>(a.items);
        try {
            items.sort(order);
        } catch (IllegalArgumentException e) {
            throw EvalError.render("sort: the items do not have a consistent order");
        }
        return sameKind(a, items);
    }

    private static Value extreme(Args args, Builtins.Compare better) {
        args.count(1, 4);
        args.types(1, Value.Array.class);
        if (!args.kwargOrPos("attribute", 2).isUndefined()) {
            throw EvalError.notImplemented((better == Builtins.Compare.LT ? "min" : "max") + " with an attribute");
        }
        List<Value> items = array(args).items;
        if (items.isEmpty()) {
            return Value.undefined("");
        }
        Value best = items.getFirst();
        for (Value v : items) {
            if (Builtins.compare(v, best, better)) {
                best = v;
            }
        }
        return best;
    }

    private static Value dictsort(Args args) {
        if (!(args.pos(0) instanceof Value.Obj o)) {
            throw EvalError.render("dictsort: first argument must be a dict");
        }
        Value by = args.kwargOrPos("by", 2);
        boolean reverse = args.kwargOrPos("reverse", 3).truthy();
        boolean byValue = by instanceof Value.Str s && s.value.equals("value");
        Builtins.Compare less = reverse ? Builtins.Compare.GT : Builtins.Compare.LT;
        args.run.checkItems(o.size());
        List<Value.Obj.Entry> entries = new ArrayList<>(o.entryList());
        Comparator<Value.Obj.Entry> order = (x, y) -> {
            Value kx = byValue ? x.value : x.key;
            Value ky = byValue ? y.value : y.key;
            return Builtins.compare(kx, ky, less) ? -1 : Builtins.compare(ky, kx, less) ? 1 : 0;
        };
        try {
            entries.sort(order);
        } catch (IllegalArgumentException e) {
            throw EvalError.render("dictsort: the entries do not have a consistent order");
        }
        Value.Obj sorted = new Value.Obj();
        entries.forEach(e -> sorted.put(e.key, e.value));
        return sorted;
    }

    private static Value at(Value.Array a, long index) {
        long i = index < 0 ? index + a.items.size() : index;
        if (i < 0 || i >= a.items.size()) {
            throw EvalError.render("Index " + index + " out of bounds for array of size " + a.items.size());
        }
        return a.items.get((int) i);
    }

    private static Value require(Value.Obj o, Value key) {
        Value v = o.get(key);
        if (v == null) {
            throw EvalError.render("Key '" + key.asString() + "' not found in value of type Object");
        }
        return v;
    }

    /** The dict receiver's entries, each mapped by {@code each}, as a list; as many as the item bound allows. */
    private static Value entries(Args args, Function<Value.Obj.Entry, Value> each) {
        args.types(1, Value.Obj.class);
        Value.Obj o = (Value.Obj) args.pos(0);
        args.run.checkItems(o.size());
        List<Value> out = new ArrayList<>();
        o.entryList().forEach(e -> out.add(each.apply(e)));
        return new Value.Array(out);
    }
}
