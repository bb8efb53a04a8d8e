package io.infernet.chat.template.jinja;

import java.util.Map;

/**
 * Methods and filters of numbers, booleans, none and undefined. Undefined answers the common
 * filters with an empty value, so that {@code missing|length} is 0 and {@code missing|join} is
 * empty; {@code string} of a number is its JSON text.
 */
final class ScalarMethods {
    private ScalarMethods() {}

    static final Map<String, Value.Handler> INT = Map.of(
            "default", Builtins::defaultValue,
            "abs", Value.Handler.of(Value.Int.class, v -> new Value.Int(Math.abs(v.asInt()))),
            "int", Value.Handler.of(Value.Int.class, v -> new Value.Int(v.asInt())),
            "float", Value.Handler.of(Value.Int.class, v -> new Value.Flt((double) v.asInt())),
            "safe", Builtins::tojson,
            "string", Builtins::tojson,
            "tojson", Builtins::tojson);

    static final Map<String, Value.Handler> FLOAT = Map.of(
            "default", Builtins::defaultValue,
            "abs", Value.Handler.of(Value.Flt.class, v -> new Value.Flt(Math.abs(v.asFloat()))),
            "int", Value.Handler.of(Value.Flt.class, v -> new Value.Int((long) v.asFloat())),
            "float", Value.Handler.of(Value.Flt.class, v -> new Value.Flt(v.asFloat())),
            "safe", Builtins::tojson,
            "string", Builtins::tojson,
            "tojson", Builtins::tojson);

    private static final Value.Handler BOOL_TEXT = Value.Handler.of(Value.Bool.class, v -> Value.str(v.truthy() ? "True" : "False"));

    static final Map<String, Value.Handler> BOOL = Map.of(
            "default", Builtins::defaultValue,
            "int", Value.Handler.of(Value.Bool.class, v -> new Value.Int(v.truthy() ? 1 : 0)),
            "float", Value.Handler.of(Value.Bool.class, v -> new Value.Flt(v.truthy() ? 1.0 : 0.0)),
            "safe", BOOL_TEXT,
            "string", BOOL_TEXT,
            "tojson", Builtins::tojson);

    private static final Value.Handler EMPTY_LIST = args -> new Value.Array();
    private static final Value.Handler EMPTY_STRING = args -> Value.str("");
    private static final Value.Handler ZERO = args -> new Value.Int(0);
    private static final Value.Handler NOTHING = args -> Value.undefined("");
    private static final Value.Handler NONE_TEXT = args -> Value.str("None");

    static final Map<String, Value.Handler> NONE = Map.ofEntries(
            Map.entry("default", Builtins::defaultValue),
            Map.entry("tojson", Builtins::tojson),
            Map.entry("string", NONE_TEXT),
            Map.entry("safe", NONE_TEXT),
            Map.entry("items", EMPTY_LIST),
            Map.entry("map", EMPTY_LIST),
            Map.entry("reject", EMPTY_LIST),
            Map.entry("rejectattr", EMPTY_LIST),
            Map.entry("select", EMPTY_LIST),
            Map.entry("selectattr", EMPTY_LIST),
            Map.entry("unique", EMPTY_LIST));

    static final Map<String, Value.Handler> UNDEFINED = Map.ofEntries(
            Map.entry("default", Builtins::defaultValue),
            Map.entry("capitalize", EMPTY_STRING),
            Map.entry("first", NOTHING),
            Map.entry("items", EMPTY_LIST),
            Map.entry("join", EMPTY_STRING),
            Map.entry("last", NOTHING),
            Map.entry("length", ZERO),
            Map.entry("list", EMPTY_LIST),
            Map.entry("lower", EMPTY_STRING),
            Map.entry("map", EMPTY_LIST),
            Map.entry("max", NOTHING),
            Map.entry("min", NOTHING),
            Map.entry("reject", EMPTY_LIST),
            Map.entry("rejectattr", EMPTY_LIST),
            Map.entry("replace", EMPTY_STRING),
            Map.entry("reverse", EMPTY_LIST),
            Map.entry("safe", EMPTY_STRING),
            Map.entry("select", EMPTY_LIST),
            Map.entry("selectattr", EMPTY_LIST),
            Map.entry("sort", EMPTY_LIST),
            Map.entry("string", EMPTY_STRING),
            Map.entry("strip", EMPTY_STRING),
            Map.entry("sum", ZERO),
            Map.entry("title", EMPTY_STRING),
            Map.entry("truncate", EMPTY_STRING),
            Map.entry("unique", EMPTY_LIST),
            Map.entry("upper", EMPTY_STRING),
            Map.entry("wordcount", ZERO));
}
