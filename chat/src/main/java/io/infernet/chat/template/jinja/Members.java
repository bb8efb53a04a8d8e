package io.infernet.chat.template.jinja;

/**
 * {@code a.b}, {@code a[b]} and {@code a[i:j:k]}, as llama.cpp resolves them: {@code a.name}
 * finds a builtin method before a dict key of the same name ({@code obj.items} is the method,
 * {@code obj['items']} the key), a missing dict key falls back to a method, lists take negative
 * indices but strings do not, anything missing is undefined rather than an error.
 */
final class Members {
    private Members() {}

    static Value member(Interpreter run, Node.Member m, Scope scope) {
        Value object = run.eval(m.object(), scope);
        Value property;
        if (m.computed()) {
            if (m.property() instanceof Node.Slice s) {
                return slice(run, object, s, scope);
            }
            property = run.eval(m.property(), scope);
        } else if (m.property() instanceof Node.IntLiteral i) {
            if (i.value() < 0) {
                throw EvalError.render("Static member property cannot be negative");
            }
            property = new Value.Int(i.value());
        } else if (m.property() instanceof Node.Identifier id) {
            property = Value.str(id.name());
            Value method = Builtins.method(run, id.name(), object, true);
            if (!method.isUndefined()) {
                return method;
            }
        } else {
            throw EvalError.render("Static member property must be an identifier");
        }

        Value result = Value.undefined("object_property");
        if (property.isUndefined()) {
            return result;
        }
        if (!property.isHashable()) {
            throw EvalError.render("Type: " + property.typeName() + " is not allowed as object key");
        }
        if (object.isUndefined()) {
            return result;
        }
        switch (object) {
            case Value.Obj o -> {
                Value v = o.get(property);
                result = v == null || v.isUndefined() ? Builtins.method(run, property.asString(), object, true) : v;
            }
            case Value.Array a -> {
                if (property instanceof Value.Int i) {
                    long index = i.value < 0 ? i.value + a.items.size() : i.value;
                    if (index >= 0 && index < a.items.size()) {
                        result = a.items.get((int) index);
                    }
                } else if (property instanceof Value.Str name) {
                    result = Builtins.method(run, name.value, object, true);
                } else {
                    throw EvalError.render("Cannot access property with non-string/non-number: got " + property.typeName());
                }
            }
            case Value.Str s -> {
                if (property instanceof Value.Int i) {
                    if (i.value >= 0 && i.value < s.byteLength()) {
                        result = StringMethods.byteSlice(s, i.value, i.value + 1, 1);
                    }
                } else if (property instanceof Value.Str name) {
                    result = Builtins.method(run, name.value, object, true);
                } else {
                    throw EvalError.render("Cannot access property with non-string/non-number: got " + property.typeName());
                }
            }
            default -> {
                if (!(property instanceof Value.Str name)) {
                    throw EvalError.render("Cannot access property with non-string: got " + property.typeName());
                }
                result = Builtins.method(run, name.value, object, true);
            }
        }
        if (run.analyse) {
            result.markUsed();
            object.markUsed();
            property.markUsed();
            if (property instanceof Value.Int) {
                object.addOp("array_access");
            } else if (property instanceof Value.Str) {
                object.addOp("object_access");
            }
        }
        return result;
    }

    /** {@code object[start:stop:step]} through the object's {@code slice} method, with Python's defaults for absent parts. */
    private static Value slice(Interpreter run, Value object, Node.Slice s, Scope scope) {
        long size = switch (object) {
            case Value.Array a -> a.items.size();
            case Value.Str str -> str.byteLength();
            default -> 0;
        };
        Value step = s.step() != null ? run.eval(s.step(), scope) : new Value.Int(1);
        boolean backwards = step.asInt() < 0;
        Value start = s.start() != null ? run.eval(s.start(), scope) : new Value.Int(backwards ? size - 1 : 0);
        Value stop = s.stop() != null ? run.eval(s.stop(), scope) : new Value.Int(backwards ? -1 : size);
        Value.Func f = (Value.Func) Builtins.method(run, "slice", object, false);
        return f.invoke(new Args(run, scope, java.util.List.of(start, stop, step)));
    }
}
