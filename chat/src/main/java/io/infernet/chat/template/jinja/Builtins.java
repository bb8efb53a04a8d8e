package io.infernet.chat.template.jinja;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The global functions ({@code raise_exception}, {@code namespace}, {@code strftime_now},
 * {@code range}, {@code tojson}) and tests ({@code is string}, {@code is defined}, ...) of
 * llama.cpp's engine, and the dispatch of filters and methods to the per-type tables of
 * {@link StringMethods}, {@link CollectionMethods} and {@link ScalarMethods}.
 */
final class Builtins {
    private Builtins() {}

    /** Global functions and tests; tests are named {@code test_is_<name>}, as templates may also call them. */
    static final Map<String, Value.Handler> GLOBALS = globals();

    private static Map<String, Value.Handler> globals() {
        Map<String, Value.Handler> g = new TreeMap<>();
        g.put("raise_exception", args -> {
            args.types(1, Value.Str.class);
            throw EvalError.raised(args.pos(0).asString());
        });
        g.put("namespace", args -> {
            Value.Obj ns = new Value.Obj();
            for (Value v : args.all()) {
                if (!(v instanceof Value.Kwarg k)) {
                    throw EvalError.render("namespace() arguments must be keyword arguments");
                }
                ns.put(k.key, k.value);
            }
            return ns;
        });
        g.put("strftime_now", args -> {
            args.types(1, Value.Str.class);
            String text = Strftime.format(args.pos(0).asString(), args.run.now);
            if (text.isEmpty() || text.getBytes(StandardCharsets.UTF_8).length >= 100) {
                throw EvalError.render("strftime_now: failed to format time"); // C's strftime into a 100-byte buffer
            }
            return Value.str(text);
        });
        g.put("range", Builtins::range);
        g.put("tojson", Builtins::tojson);

        g.put("test_is_boolean", args -> isA(args, Value.Bool.class));
        g.put("test_is_callable", args -> isA(args, Value.Func.class));
        g.put("test_is_odd", Value.Handler.of(Value.Int.class, v -> Value.bool(v.asInt() % 2 != 0)));
        g.put("test_is_even", Value.Handler.of(Value.Int.class, v -> Value.bool(v.asInt() % 2 == 0)));
        g.put("test_is_false", args -> {
            args.count(1, 999);
            return Value.bool(args.pos(0) instanceof Value.Bool b && !b.value);
        });
        g.put("test_is_true", args -> {
            args.count(1, 999);
            return Value.bool(args.pos(0) instanceof Value.Bool b && b.value);
        });
        g.put("test_is_divisibleby", args -> {
            args.types(2, Value.Int.class, Value.Int.class);
            long d = args.pos(1).asInt();
            if (d == 0) {
                throw EvalError.render("divisibleby(0)");
            }
            return Value.bool(args.pos(0).asInt() % d == 0);
        });
        g.put("test_is_string", args -> isA(args, Value.Str.class));
        g.put("test_is_integer", args -> isA(args, Value.Int.class));
        g.put("test_is_float", args -> isA(args, Value.Flt.class));
        g.put("test_is_number", args -> isA(args, Value.Int.class, Value.Flt.class));
        g.put("test_is_iterable", args -> isA(args, Value.Array.class, Value.Str.class, Value.Undefined.class));
        g.put("test_is_sequence", args -> isA(args, Value.Array.class, Value.Str.class, Value.Undefined.class));
        g.put("test_is_mapping", args -> isA(args, Value.Obj.class));
        g.put("test_is_lower", Value.Handler.of(Value.Str.class, v -> Value.bool(!Strings.hasAsciiUpper(v.asString()))));
        g.put("test_is_upper", Value.Handler.of(Value.Str.class, v -> Value.bool(!Strings.hasAsciiLower(v.asString()))));
        g.put("test_is_none", args -> isA(args, Value.None.class));
        g.put("test_is_defined", args -> {
            args.count(1, 999);
            return Value.bool(!args.pos(0).isUndefined());
        });
        g.put("test_is_undefined", args -> isA(args, Value.Undefined.class));
        g.put("test_is_eq", args -> compareTest(args, Compare.EQ));
        g.put("test_is_equalto", args -> compareTest(args, Compare.EQ));
        g.put("test_is_ge", args -> compareTest(args, Compare.GE));
        g.put("test_is_gt", args -> compareTest(args, Compare.GT));
        g.put("test_is_greaterthan", args -> compareTest(args, Compare.GT));
        g.put("test_is_lt", args -> compareTest(args, Compare.LT));
        g.put("test_is_lessthan", args -> compareTest(args, Compare.LT));
        g.put("test_is_ne", args -> compareTest(args, Compare.NE));
        g.put("test_is_in", args -> {
            args.count(2, 999);
            return Value.bool(contains(args.pos(1), args.pos(0)));
        });
        g.put("test_is_test", Value.Handler.of(Value.Str.class, v -> Value.bool(GLOBALS.containsKey("test_is_" + v.asString()))));
        g.put("test_is_sameas", args -> {
            throw EvalError.notImplemented("the sameas test");
        });
        g.put("test_is_escaped", args -> {
            throw EvalError.notImplemented("the escaped test");
        });
        g.put("test_is_filter", args -> {
            throw EvalError.notImplemented("the filter test");
        });
        return Map.copyOf(g);
    }

    private static Value isA(Args args, Class<?>... types) {
        args.count(1, 999);
        Value v = args.pos(0);
        for (Class<?> t : types) {
            if (t.isInstance(v)) {
                return Value.bool(true);
            }
        }
        return Value.bool(false);
    }

    private static Value range(Args args) {
        args.count(1, 3);
        args.types(1, Value.Int.class);
        long start = 0;
        long stop;
        long step = 1;
        if (args.count() == 1) {
            stop = args.pos(0).asInt();
        } else {
            start = args.pos(0).asInt();
            stop = args.pos(1).asInt();
            if (args.count() == 3) {
                step = args.pos(2).asInt();
            }
        }
        if (step == 0) {
            throw EvalError.render("range() step argument must not be zero");
        }
        long count = step > 0 ? Math.max(0, Math.ceilDiv(stop - start, step)) : Math.max(0, Math.ceilDiv(start - stop, -step));
        args.run.checkItems(count);
        Value.Array out = new Value.Array();
        for (long i = 0; i < count; i++) {
            out.items.add(new Value.Int(start + i * step));
        }
        return out;
    }

    /** {@code tojson(value, ensure_ascii, indent, separators, sort_keys)}, arguments by position or name. */
    static Value tojson(Args args) {
        args.count(1, 5);
        Value ascii = args.kwargOrPos("ensure_ascii", 1);
        Value indentArg = args.kwargOrPos("indent", 2);
        Value separators = args.kwargOrPos("separators", 3);
        Value sort = args.kwargOrPos("sort_keys", 4);
        if (args.run.analyse) {
            args.pos(0).markUsedDeep();
        }
        int indent = indentArg instanceof Value.Int i ? (int) Math.clamp(i.value, -1, 64) : -1;
        if (sort.truthy()) {
            throw EvalError.notImplemented("tojson with sort_keys=true");
        }
        List<Value> seps = separators instanceof Value.Array a ? a.items : List.of();
        String itemSep = !seps.isEmpty() ? seps.get(0).asString() : indent < 0 ? ", " : ",";
        String keySep = seps.size() > 1 ? seps.get(1).asString() : ": ";
        String json = JsonText.write(args.pos(0), indent, itemSep, keySep);
        String text = ascii.truthy() ? JsonText.ensureAscii(json) : json;
        // JSON of anything with input in it is input as a whole: it holds no template text that special tokens could come from
        return args.run.str(text, Value.containsInput(args.pos(0)) ? io.infernet.chat.template.InputSpans.all(text.length())
                : io.infernet.chat.template.InputSpans.NONE);
    }

    // --- comparisons -----------------------------------------------------------------------

    enum Compare { EQ, GE, GT, LT, NE }

    private static Value compareTest(Args args, Compare op) {
        args.count(2, 2);
        return Value.bool(compare(args.pos(0), args.pos(1), op));
    }

    /** Ordering of llama.cpp's tests and sorts: numbers as doubles, a string against a string or number as text, booleans for equality only; anything else false. */
    static boolean compare(Value a, Value b, Compare op) {
        boolean aNum = a instanceof Value.Int || a instanceof Value.Flt;
        boolean bNum = b instanceof Value.Int || b instanceof Value.Flt;
        if (aNum && bNum) {
            double x = a.asFloat();
            double y = b.asFloat();
            return switch (op) {
                case EQ -> x == y;
                case GE -> x >= y;
                case GT -> x > y;
                case LT -> x < y;
                case NE -> x != y;
            };
        }
        if ((b instanceof Value.Str && aNum) || (a instanceof Value.Str && bNum) || (a instanceof Value.Str && b instanceof Value.Str)) {
            int c = Strings.compareUtf8(a.asString(), b.asString());
            return switch (op) {
                case EQ -> c == 0;
                case GE -> c >= 0;
                case GT -> c > 0;
                case LT -> c < 0;
                case NE -> c != 0;
            };
        }
        if (a instanceof Value.Bool x && b instanceof Value.Bool y) {
            return switch (op) {
                case EQ -> x.value == y.value;
                case NE -> x.value != y.value;
                default -> throw EvalError.render("Unsupported comparison operator for bool type");
            };
        }
        return false;
    }

    /** {@code needle in haystack}: an equal item of a list, a substring, a dict key; nothing is in undefined. */
    static boolean contains(Value haystack, Value needle) {
        return switch (haystack) {
            case Value.Undefined u -> false;
            case Value.Array a -> {
                for (Value item : a.items) {
                    if (needle.equivalent(item)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Value.Str s -> {
                if (!(needle instanceof Value.Str n)) {
                    throw EvalError.render("'in' expects a string on the left of a string, got " + needle.typeName());
                }
                yield s.value.contains(n.value);
            }
            case Value.Obj o -> {
                if (!needle.isImmutable() || !needle.isHashable()) {
                    throw EvalError.render("Object key of unhashable type: " + needle.typeName());
                }
                yield o.has(needle);
            }
            default -> throw EvalError.render("'in' expects a list, string or dict on the right, got " + haystack.typeName());
        };
    }

    // --- filters, tests, methods -------------------------------------------------------------

    /** The builtin method {@code name} of a value bound to it; undefined (or an error) when the type has none by that name. */
    static Value method(Interpreter run, String name, Value input, boolean undefinedIfMissing) {
        if (run.analyse) {
            input.markUsed();
            input.addOp(name);
        }
        Map<String, Value.Handler> table = switch (input) {
            case Value.Str s -> StringMethods.TABLE;
            case Value.Int i -> ScalarMethods.INT;
            case Value.Flt f -> ScalarMethods.FLOAT;
            case Value.Bool b -> ScalarMethods.BOOL;
            case Value.None n -> ScalarMethods.NONE;
            case Value.Undefined u -> ScalarMethods.UNDEFINED;
            case Value.Array a -> CollectionMethods.ARRAY;
            case Value.Obj o -> o.hasBuiltins ? CollectionMethods.OBJECT : Map.of();
            case Value.Func f -> throw EvalError.render("Function has no builtins");
            case Value.Kwarg k -> throw EvalError.render("KwArg has no builtins");
        };
        Value.Handler h = table.get(name);
        if (h != null) {
            return new Value.Func(name, h, input);
        }
        if (undefinedIfMissing) {
            return Value.undefined(name);
        }
        throw EvalError.render("Unknown (built-in) filter '" + name + "' for type " + input.typeName());
    }

    private static String filterAlias(String name) {
        return switch (name) {
            case "count" -> "length";
            case "d" -> "default";
            case "e" -> "escape";
            case "trim" -> "strip";
            default -> name;
        };
    }

    /** {@code input | filter} or {@code input | filter(args)}. */
    static Value applyFilter(Interpreter run, Node.Expression filter, Value input, Scope scope) {
        if (filter instanceof Node.Identifier id) {
            String name = filterAlias(id.name());
            if (!input.isUndefined() && !(input instanceof Value.Str) && switch (name) {
                case "capitalize", "lower", "replace", "strip", "title", "upper", "wordcount" -> true;
                default -> false;
            }) {
                input = Value.printed(input);
            }
            return ((Value.Func) method(run, name, input, false)).invoke(new Args(run, scope, List.of()));
        }
        if (filter instanceof Node.Call call && call.callee() instanceof Node.Identifier id) {
            String name = filterAlias(id.name());
            List<Value> args = run.evalAll(call.args(), scope);
            return ((Value.Func) method(run, name, input, false)).invoke(new Args(run, scope, args));
        }
        throw EvalError.render("a filter must be a name or a call of one");
    }

    /** {@code operand is [not] test[(args)]}. */
    static Value test(Interpreter run, Node.Test t, Scope scope) {
        Value input = run.eval(t.operand(), scope);
        List<Value> args = new java.util.ArrayList<>();
        args.add(input);
        String name;
        if (t.test() instanceof Node.Identifier id) {
            name = id.name();
        } else if (t.test() instanceof Node.Call call && call.callee() instanceof Node.Identifier id) {
            name = id.name();
            args.addAll(run.evalAll(call.args(), scope));
        } else {
            throw EvalError.render("a test must be a name or a call of one");
        }
        Value.Handler h = GLOBALS.get("test_is_" + name);
        if (h == null) {
            throw EvalError.render("Unknown test '" + name + "'");
        }
        if (run.analyse) {
            input.markUsed();
            input.addOp("test_is_" + name);
        }
        Value result = h.call(new Args(run, scope, "test_is_" + name, args));
        return t.negate() ? Value.bool(!result.truthy()) : result;
    }

    /** {@code default(value, boolean=false)} of every type that has it. */
    static Value defaultValue(Args args) {
        args.count(2, 3);
        boolean checkTruth = args.kwargOrPos("boolean", 2).truthy();
        Value v = args.pos(0);
        boolean missing = checkTruth ? !v.truthy() : v.isUndefined() || v instanceof Value.None;
        return missing ? args.pos(1) : v;
    }
}
