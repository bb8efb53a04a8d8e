package io.infernet.chat.template.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Methods and filters of strings, as llama.cpp implements them: {@code split} without arguments
 * splits on single spaces (not on runs of whitespace), {@code strip} and friends strip ASCII
 * whitespace or the given characters, {@code title} capitalizes after whitespace only,
 * {@code replace} has no count, {@code format} knows only {@code {}}, {@code join} and
 * {@code wordcount} do not exist.
 */
final class StringMethods {
    private StringMethods() {}

    static final Map<String, Value.Handler> TABLE = Map.ofEntries(
            Map.entry("default", Builtins::defaultValue),
            Map.entry("upper", args -> {
                args.types(1, Value.Str.class);
                return Value.str(Strings.upper(args.pos(0).asString()));
            }),
            Map.entry("lower", args -> {
                args.types(1, Value.Str.class);
                return Value.str(Strings.lower(args.pos(0).asString()));
            }),
            Map.entry("strip", args -> {
                if (!(args.pos(0) instanceof Value.Str)) {
                    throw EvalError.render("strip() first argument must be a string");
                }
                return strip(args, true, true);
            }),
            Map.entry("rstrip", args -> {
                args.types(1, Value.Str.class);
                return strip(args, false, true);
            }),
            Map.entry("lstrip", args -> {
                args.types(1, Value.Str.class);
                return strip(args, true, false);
            }),
            Map.entry("title", args -> {
                args.types(1, Value.Str.class);
                char[] cs = args.pos(0).asString().toCharArray();
                boolean next = true;
                for (int i = 0; i < cs.length; i++) {
                    if (Lexer.isSpace(cs[i])) {
                        next = true;
                    } else if (next) {
                        cs[i] = Strings.upper(cs[i]);
                        next = false;
                    } else {
                        cs[i] = Strings.lower(cs[i]);
                    }
                }
                return Value.str(new String(cs));
            }),
            Map.entry("capitalize", args -> {
                args.types(1, Value.Str.class);
                String s = args.pos(0).asString();
                return Value.str(s.isEmpty() ? s : Strings.upper(s.charAt(0)) + Strings.lower(s.substring(1)));
            }),
            Map.entry("length", args -> {
                args.types(1, Value.Str.class);
                return new Value.Int(((Value.Str) args.pos(0)).byteLength());
            }),
            Map.entry("startswith", args -> {
                args.types(2, Value.Str.class, Value.Str.class);
                return Value.bool(args.pos(0).asString().startsWith(args.pos(1).asString()));
            }),
            Map.entry("endswith", args -> {
                args.types(2, Value.Str.class, Value.Str.class);
                return Value.bool(args.pos(0).asString().endsWith(args.pos(1).asString()));
            }),
            Map.entry("split", args -> split(args, false)),
            Map.entry("rsplit", args -> split(args, true)),
            Map.entry("replace", StringMethods::replace),
            Map.entry("format", StringMethods::format),
            Map.entry("int", StringMethods::toInt),
            Map.entry("float", args -> {
                args.types(1, Value.Str.class);
                Value fallback = args.kwargOrPos("default", 1);
                Double d = Strings.parseDouble(args.pos(0).asString());
                return new Value.Flt(d != null ? d : fallback.isUndefined() ? 0.0 : fallback.asFloat());
            }),
            Map.entry("string", args -> {
                args.types(1, Value.Str.class);
                return Value.str(args.pos(0).asString());
            }),
            Map.entry("slice", args -> {
                args.count(1, 4);
                args.types(2, Value.Str.class, Value.Int.class);
                long[] ssp = sliceBounds(args);
                return Value.str(Strings.byteSlice(args.pos(0).asString(), ssp[0], ssp[1], ssp[2]));
            }),
            Map.entry("safe", args -> {
                args.types(1, Value.Str.class);
                return args.pos(0);
            }),
            Map.entry("tojson", Builtins::tojson),
            Map.entry("indent", StringMethods::indent),
            Map.entry("join", args -> {
                throw EvalError.notImplemented("join of a string");
            }));

    /** start, stop and step of a {@code slice(start, stop, step)} call (the value itself is argument 0). */
    static long[] sliceBounds(Args args) {
        Value a = args.pos(1);
        Value b = args.pos(2, Value.undefined(""));
        Value c = args.pos(3, Value.undefined(""));
        long start;
        long stop;
        long step;
        if (args.count() == 2) {
            start = a.asInt();
            stop = b.asInt();
            step = 1;
        } else {
            start = a.asInt();
            stop = b.asInt();
            step = c.asInt();
        }
        if (step == 0) {
            throw EvalError.render("slice step cannot be zero");
        }
        return new long[] {start, stop, step};
    }

    private static Value strip(Args args, boolean left, boolean right) {
        String s = args.pos(0).asString();
        Value chars = args.kwargOrPos("chars", 1);
        String set = chars.isUndefined() ? null : chars.asString();
        int from = 0;
        int to = s.length();
        if (left) {
            while (from < to && strips(s.charAt(from), set)) {
                from++;
            }
        }
        if (right) {
            while (to > from && strips(s.charAt(to - 1), set)) {
                to--;
            }
        }
        return Value.str(s.substring(from, to));
    }

    private static boolean strips(char c, String set) {
        return set == null ? Lexer.isSpace(c) : set.indexOf(c) >= 0;
    }

    private static Value split(Args args, boolean fromRight) {
        args.count(1, 3);
        if (!(args.pos(0) instanceof Value.Str)) {
            throw EvalError.render((fromRight ? "rsplit" : "split") + "() first argument must be a string");
        }
        String s = args.pos(0).asString();
        String sep = args.count() > 1 ? args.pos(1).asString() : " ";
        if (sep.isEmpty()) {
            throw EvalError.render("empty separator");
        }
        long maxSplit = args.count() > 2 ? args.pos(2).asInt() : -1;
        List<Value> parts = new ArrayList<>();
        if (!fromRight) {
            int from = 0;
            int at;
            while (maxSplit != 0 && (at = s.indexOf(sep, from)) >= 0) {
                parts.add(Value.str(s.substring(from, at)));
                from = at + sep.length();
                maxSplit--;
            }
            parts.add(Value.str(s.substring(from)));
        } else {
            int to = s.length();
            int at;
            while (maxSplit != 0 && (at = s.lastIndexOf(sep, to - sep.length())) >= 0) {
                parts.add(Value.str(s.substring(at + sep.length(), to)));
                to = at;
                maxSplit--;
            }
            parts.add(Value.str(s.substring(0, to)));
            Collections.reverse(parts);
        }
        args.run.checkItems(parts.size());
        return new Value.Array(parts);
    }

    private static Value replace(Args args) {
        args.types(3, Value.Str.class, Value.Str.class, Value.Str.class);
        String s = args.pos(0).asString();
        String from = args.pos(1).asString();
        String to = args.pos(2).asString();
        long count = args.count() > 3 ? args.pos(3).asInt() : -1;
        if (count > 0) {
            throw EvalError.notImplemented("replace with a count");
        }
        if (from.equals(to)) {
            return Value.str(s);
        }
        if (from.isEmpty()) {
            args.run.checkChars((double) s.length() * (to.length() + 1) + to.length());
            StringBuilder out = new StringBuilder(to);
            for (int i = 0; i < s.length(); i++) {
                out.append(s.charAt(i)).append(to);
            }
            return args.run.str(out.toString());
        }
        return args.run.str(s.replace(from, to));
    }

    private static Value format(Args args) {
        if (!(args.pos(0) instanceof Value.Str)) {
            throw EvalError.render("format() first argument must be a string");
        }
        String fmt = args.pos(0).asString();
        StringBuilder out = new StringBuilder();
        int next = 1;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '{') {
                out.append(c);
                continue;
            }
            if (i + 1 >= fmt.length() || fmt.charAt(i + 1) != '}') {
                throw EvalError.notImplemented("format() placeholders other than '{}'");
            }
            i++;
            out.append(args.pos(next++).asString());
        }
        return args.run.str(out.toString());
    }

    private static Value toInt(Args args) {
        Value input = args.pos(0);
        Value fallback = args.kwargOrPos("default", 1);
        Value baseArg = args.kwargOrPos("base", 2);
        long base = baseArg.isUndefined() ? 10 : baseArg.asInt();
        if (base != 0 && (base < 2 || base > 36)) {
            throw EvalError.render("int() base must be 0 or between 2 and 36");
        }
        if (!(input instanceof Value.Str)) {
            throw EvalError.render("int() first argument must be a string");
        }
        Long v = Strings.parseInt(input.asString(), (int) base);
        return new Value.Int(v != null ? v : fallback.isUndefined() ? 0 : fallback.asInt());
    }

    /** {@code indent(width=4, first=false, blank=false)}, line by line as C++'s getline splits. */
    private static Value indent(Args args) {
        args.count(1, 4);
        if (!(args.pos(0) instanceof Value.Str)) {
            throw EvalError.render("indent() first argument must be a string");
        }
        String input = args.pos(0).asString();
        Value width = args.kwargOrPos("width", 1);
        boolean first = args.kwargOrPos("first", 2).truthy();
        boolean blank = args.kwargOrPos("blank", 3).truthy();
        String pad = switch (width) {
            case Value.Int i -> " ".repeat((int) Math.clamp(i.value, 0, 256));
            case Value.Str s -> s.value;
            default -> "    ";
        };
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < input.length()) {
            int nl = input.indexOf('\n', start);
            String line = nl < 0 ? input.substring(start) : input.substring(start, nl);
            start = nl < 0 ? input.length() : nl + 1;
            if (!out.isEmpty()) {
                out.append('\n');
            }
            if (out.isEmpty() ? first : !line.isEmpty() || blank) {
                out.append(pad);
            }
            out.append(line);
        }
        if (!input.isEmpty() && input.charAt(input.length() - 1) == '\n') {
            out.append('\n');
            if (blank) {
                out.append(pad);
            }
        }
        return args.run.str(out.toString());
    }
}
