package io.infernet.chat.template.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Unary and binary operators with llama.cpp's rules: arithmetic in doubles (an integer result
 * when both sides are integers), {@code /} always a float, string concatenation with {@code +}
 * or {@code ~} when either side is a string, none or undefined concatenating as an empty
 * string, {@code in} on lists, strings and dict keys, string repetition with {@code *}.
 * Strings do not order ({@code <} between strings is an error, as there).
 */
final class Operators {
    private Operators() {}

    static Value unary(String op, Value v) {
        return switch (op) {
            case "not" -> Value.bool(!v.truthy());
            case "-" -> switch (v) {
                case Value.Int i -> new Value.Int(-i.value);
                case Value.Flt f -> new Value.Flt(-f.value);
                default -> throw EvalError.render("Unary - operator requires numeric operand");
            };
            case "+" -> {
                if (v instanceof Value.Int || v instanceof Value.Flt) {
                    yield v;
                }
                throw EvalError.render("Unary + operator requires numeric operand");
            }
            default -> throw EvalError.render("Unknown unary operator '" + op + "'");
        };
    }

    static Value binary(Interpreter run, Node.Binary b, Scope scope) {
        String op = b.op();
        Value left = run.eval(b.left(), scope);
        if (op.equals("and")) {
            return left.truthy() ? run.eval(b.right(), scope) : left;
        }
        if (op.equals("or")) {
            return left.truthy() ? left : run.eval(b.right(), scope);
        }
        Value right = run.eval(b.right(), scope);
        if (op.equals("==")) {
            return Value.bool(left.equivalent(right));
        }
        if (op.equals("!=")) {
            return Value.bool(!left.equivalent(right));
        }
        boolean concat = op.equals("+") || op.equals("~");
        boolean membership = op.equals("in") || op.equals("not in");
        if (left.isUndefined() || right.isUndefined()) {
            if (right.isUndefined() && membership) {
                return Value.bool(op.equals("not in"));
            }
            if (concat && nullConcat(left, right)) {
                return concat(run, textOrEmpty(left), textOrEmpty(right));
            }
            throw EvalError.render("Cannot perform operation " + op + " on undefined values");
        }
        if (left instanceof Value.None || right instanceof Value.None) {
            if (!(right instanceof Value.None) && membership) {
                boolean member = Builtins.contains(right, left);
                return Value.bool(op.equals("in") == member);
            }
            if (concat && nullConcat(left, right)) {
                return concat(run, textOrEmpty(left), textOrEmpty(right));
            }
            throw EvalError.render("Cannot perform operation on null values");
        }
        if (isNumber(left) && isNumber(right)) {
            double x = left.asFloat();
            double y = right.asFloat();
            boolean floats = left instanceof Value.Flt || right instanceof Value.Flt;
            switch (op) {
                case "+", "-", "*" -> {
                    double r = op.equals("+") ? x + y : op.equals("-") ? x - y : x * y;
                    return floats ? new Value.Flt(r) : new Value.Int((long) r);
                }
                case "/" -> {
                    return new Value.Flt(x / y);
                }
                case "%" -> {
                    double r = x % y; // C's fmod: the sign of the dividend
                    return floats ? new Value.Flt(r) : new Value.Int(Double.isNaN(r) ? Long.MIN_VALUE : (long) r);
                }
                case "<" -> {
                    return Value.bool(x < y);
                }
                case ">" -> {
                    return Value.bool(x > y);
                }
                case ">=" -> {
                    return Value.bool(x >= y);
                }
                case "<=" -> {
                    return Value.bool(x <= y);
                }
                default -> { }
            }
        }
        if (left instanceof Value.Array la && right instanceof Value.Array ra) {
            if (op.equals("+")) {
                run.checkItems((long) la.items.size() + ra.items.size());
                List<Value> all = new ArrayList<>(la.items);
                all.addAll(ra.items);
                return new Value.Array(all);
            }
        } else if (right instanceof Value.Array && membership) {
            return Value.bool(op.equals("in") == Builtins.contains(right, left));
        }
        if ((left instanceof Value.Str || right instanceof Value.Str) && concat) {
            return concat(run, Value.printed(left), Value.printed(right));
        }
        if (op.equals("*") && (left instanceof Value.Str && right instanceof Value.Int || left instanceof Value.Int && right instanceof Value.Str)) {
            String s = left instanceof Value.Str ? left.asString() : right.asString();
            long times = left instanceof Value.Int ? left.asInt() : right.asInt();
            if (times <= 0 || s.isEmpty()) {
                return Value.str("");
            }
            run.checkChars((double) s.length() * times);
            Value.Str str = (Value.Str) (left instanceof Value.Str ? left : right);
            return run.str(s.repeat((int) times), str.input.repeat(s.length(), (int) times));
        }
        if (left instanceof Value.Str && right instanceof Value.Str && membership) {
            return Value.bool(op.equals("in") == Builtins.contains(right, left));
        }
        if (right instanceof Value.Obj && membership) {
            return Value.bool(op.equals("in") == Builtins.contains(right, left));
        }
        throw EvalError.render("Unknown operator \"" + op + "\" between " + left.typeName() + " and " + right.typeName());
    }

    private static Value.Str concat(Interpreter run, Value.Str a, Value.Str b) {
        run.checkChars((double) a.value.length() + b.value.length()); // before building it
        return Value.str(a.value + b.value, a.input.concat(a.value.length(), b.input));
    }

    private static boolean isNumber(Value v) {
        return v instanceof Value.Int || v instanceof Value.Flt;
    }

    /** None or undefined on one side and a string on the other: concatenates as if empty. */
    private static boolean nullConcat(Value left, Value right) {
        boolean leftNull = left instanceof Value.None || left.isUndefined();
        boolean rightNull = right instanceof Value.None || right.isUndefined();
        return leftNull && right instanceof Value.Str || rightNull && left instanceof Value.Str;
    }

    private static Value.Str textOrEmpty(Value v) {
        return v instanceof Value.Str s ? s : Value.str("");
    }
}
