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
            Map.entry("upper", Value.Handler.of(Value.Str.class, s -> Value.str(Strings.upper(s.value), s.input))),
            Map.entry("lower", Value.Handler.of(Value.Str.class, s -> Value.str(Strings.lower(s.value), s.input))),
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
                return Value.str(new String(cs), ((Value.Str) args.pos(0)).input);
            }),
            Map.entry("capitalize", args -> {
                args.types(1, Value.Str.class);
                String s = args.pos(0).asString();
                return Value.str(s.isEmpty() ? s : Strings.upper(s.charAt(0)) + Strings.lower(s.substring(1)), ((Value.Str) args.pos(0)).input);
            }),
            Map.entry("length", Value.Handler.of(Value.Str.class, v -> new Value.Int(v.byteLength()))),
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
            Map.entry("string", Value.Handler.of(Value.Str.class, v -> v)),
            Map.entry("slice", args -> {
                args.count(1, 4);
                args.types(2, Value.Str.class, Value.Int.class);
                long[] ssp = sliceBounds(args);
                return byteSlice((Value.Str) args.pos(0), ssp[0], ssp[1], ssp[2]);
            }),
            Map.entry("safe", Value.Handler.of(Value.Str.class, v -> v)),
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

    /**
     * A slice of the UTF-8 bytes of a string with its input spans: exact for ASCII text; a slice of
     * other text is input as a whole when any of the string is.
     */
    static Value.Str byteSlice(Value.Str s, long start, long stop, long step) {
        String text = Strings.byteSlice(s.value, start, stop, step);
        if (!s.hasInput()) {
            return Value.str(text);
        }
        if (!Value.Str.isAscii(s.value)) {
            return Value.str(text, io.infernet.chat.template.InputSpans.all(text.length()));
        }
        io.infernet.chat.template.InputSpans.Builder b = new io.infernet.chat.template.InputSpans.Builder();
        int k = 0;
        for (int i : Strings.sliceIndices(s.value.length(), start, stop, step)) {
            if (s.input.contains(i)) {
                b.add(k, k + 1);
            }
            k++;
        }
        return Value.str(text, b.build());
    }

    private static Value strip(Args args, boolean left, boolean right) {
        Value.Str str = (Value.Str) args.pos(0);
        String s = str.value;
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
        return str.sub(from, to);
    }

    private static boolean strips(char c, String set) {
        return set == null ? Lexer.isSpace(c) : set.indexOf(c) >= 0;
    }

    private static Value split(Args args, boolean fromRight) {
        args.count(1, 3);
        if (!(args.pos(0) instanceof Value.Str)) {
            throw EvalError.render((fromRight ? "rsplit" : "split") + "() first argument must be a string");
        }
        Value.Str str = (Value.Str) args.pos(0);
        String s = str.value;
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
                parts.add(str.sub(from, at));
                from = at + sep.length();
                maxSplit--;
            }
            parts.add(str.sub(from, s.length()));
        } else {
            int to = s.length();
            int at;
            while (maxSplit != 0 && (at = s.lastIndexOf(sep, to - sep.length())) >= 0) {
                parts.add(str.sub(at + sep.length(), to));
                to = at;
                maxSplit--;
            }
            parts.add(str.sub(0, to));
            Collections.reverse(parts);
        }
        args.run.checkItems(parts.size());
        return new Value.Array(parts);
    }

    /** {@code replace(old, new)}: text put in for a match is input when {@code new} is, or when the text it replaces had input in it. */
    private static Value replace(Args args) {
        args.types(3, Value.Str.class, Value.Str.class, Value.Str.class);
        Value.Str src = (Value.Str) args.pos(0);
        String s = src.value;
        String from = args.pos(1).asString();
        Value.Str to = (Value.Str) args.pos(2);
        long count = args.count() > 3 ? args.pos(3).asInt() : -1;
        if (count > 0) {
            throw EvalError.notImplemented("replace with a count");
        }
        if (from.equals(to.value)) {
            return src;
        }
        if (from.isEmpty()) {
            args.run.checkChars((double) s.length() * (to.value.length() + 1) + to.value.length());
            Out out = new Out(s.length() * (to.value.length() + 1) + to.value.length());
            out.append(to);
            for (int i = 0; i < s.length(); i++) {
                out.append(src.sub(i, i + 1)).append(to);
            }
            return args.run.str(out);
        }
        Out out = new Out(s.length());
        int pos = 0;
        int at;
        while ((at = s.indexOf(from, pos)) >= 0) {
            out.append(src.sub(pos, at));
            if (src.input.any(at, at + from.length())) {
                out.appendInput(to.value);
            } else {
                out.append(to);
            }
            pos = at + from.length();
            args.run.checkChars(out.length());
        }
        out.append(src.sub(pos, s.length()));
        return args.run.str(out);
    }

    private static Value format(Args args) {
        if (!(args.pos(0) instanceof Value.Str fmtStr)) {
            throw EvalError.render("format() first argument must be a string");
        }
        String fmt = fmtStr.value;
        Out out = new Out(fmt.length());
        int next = 1;
        int literal = 0;
        for (int i = 0; i < fmt.length(); i++) {
            if (fmt.charAt(i) != '{') {
                continue;
            }
            if (i + 1 >= fmt.length() || fmt.charAt(i + 1) != '}') {
                throw EvalError.notImplemented("format() placeholders other than '{}'");
            }
            out.append(fmtStr.sub(literal, i));
            out.append(Value.printed(args.pos(next++)));
            i++;
            literal = i + 1;
        }
        out.append(fmtStr.sub(literal, fmt.length()));
        return args.run.str(out);
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
        if (!(args.pos(0) instanceof Value.Str in)) {
            throw EvalError.render("indent() first argument must be a string");
        }
        String input = in.value;
        Value width = args.kwargOrPos("width", 1);
        boolean first = args.kwargOrPos("first", 2).truthy();
        boolean blank = args.kwargOrPos("blank", 3).truthy();
        Value.Str pad = switch (width) {
            case Value.Int i -> Value.str(" ".repeat((int) Math.clamp(i.value, 0, 256)));
            case Value.Str s -> s;
            default -> Value.str("    ");
        };
        Out out = new Out(input.length());
        int start = 0;
        while (start < input.length()) {
            int nl = input.indexOf('\n', start);
            int end = nl < 0 ? input.length() : nl;
            Value.Str line = in.sub(start, end);
            if (!out.isEmpty()) {
                out.append(in.sub(start - 1, start)); // the newline that ended the previous line
            }
            if (out.isEmpty() ? first : !line.value.isEmpty() || blank) {
                out.append(pad);
            }
            out.append(line);
            start = nl < 0 ? input.length() : nl + 1;
        }
        if (!input.isEmpty() && input.charAt(input.length() - 1) == '\n') {
            out.append(in.sub(input.length() - 1, input.length()));
            if (blank) {
                out.append(pad);
            }
        }
        return args.run.str(out);
    }
}
