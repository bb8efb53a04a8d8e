package io.infernet.chat.template.jinja;

import io.infernet.chat.template.TemplateException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One render of a parsed template: walks the tree, writing text to the output. Semantics are
 * llama.cpp's engine's (scoping, loop object, macros binding their caller's scope, {@code in},
 * {@code ~}, undefined and none arithmetic, output of values: strings and numbers print, lists
 * print their items, none, undefined and dicts print nothing). Single-threaded, single-use.
 *
 * <p>Errors raised without a place become a {@link TemplateException} at the innermost node
 * they pass through, as llama.cpp reports them; {@link #analyse} turns on the usage marks of
 * {@link Value}.
 */
final class Interpreter {
    final String source;
    final boolean analyse;
    final ZonedDateTime now;
    private final Limits limits;
    private long steps;
    private int depth;

    Interpreter(String source, boolean analyse, ZonedDateTime now, Limits limits) {
        this.source = source;
        this.analyse = analyse;
        this.now = now;
        this.limits = limits;
    }

    /** {@code break} and {@code continue} on their way to the enclosing loop. */
    static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        private LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }

        static final LoopSignal BREAK = new LoopSignal(true);
        static final LoopSignal CONTINUE = new LoopSignal(false);
    }

    Out render(List<Node> program, Scope globals) {
        Out out = new Out(1024);
        try {
            renderBody(program, globals, out);
        } catch (LoopSignal s) {
            throw new TemplateException(TemplateException.Kind.RENDER, (s.isBreak ? "break" : "continue") + " outside a loop");
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.LIMIT, "the template nests too deeply for the stack");
        }
        return out;
    }

    // --- statements -----------------------------------------------------------------------

    void renderBody(List<Node> body, Scope scope, Out out) {
        for (Node n : body) {
            renderNode(n, scope, out);
        }
    }

    private void renderNode(Node node, Scope scope, Out out) {
        placed(node, () -> {
            switch (node) {
                case Node.Text t -> out.append(t.text());
                case Node.Comment c -> { }
                case Node.Noop n -> { }
                case Node.If n -> renderBody(eval(n.test(), scope).truthy() ? n.body() : n.alternate(), scope, out);
                case Node.For n -> renderFor(n, scope, out);
                case Node.Break b -> throw LoopSignal.BREAK;
                case Node.Continue c -> throw LoopSignal.CONTINUE;
                case Node.Set n -> set(n, scope);
                case Node.Macro n -> scope.set(n.name(), macro(n));
                case Node.CallBlock n -> gather(callBlock(n, scope), out);
                case Node.FilterBlock n -> gather(Builtins.applyFilter(this, n.filter(), renderToString(n.body(), scope), scope), out);
                case Node.Expression e -> gather(evalUnchecked(e, scope), out);
            }
            return null;
        });
        if (out.length() > limits.maxStringChars()) {
            throw at(node, TemplateException.Kind.LIMIT, "output longer than " + limits.maxStringChars() + " characters");
        }
    }

    Value.Str renderToString(List<Node> body, Scope scope) {
        Out out = new Out();
        renderBody(body, scope, out);
        return out.toStr();
    }

    /** Appends the printed form of a value: strings and numbers as text, lists item by item, anything else nothing. */
    static void gather(Value v, Out out) {
        switch (v) {
            case Value.Str s -> out.append(s);
            case Value.Numeric n -> out.append(n.asString());
            case Value.Array a -> a.items.forEach(item -> gather(item, out));
            default -> { }
        }
    }

    private void renderFor(Node.For n, Scope outer, Out out) {
        Scope scope = new Scope(outer);
        Node.Select select = n.iterable() instanceof Node.Select s ? s : null;
        Value iterable = eval(select != null ? select.value() : n.iterable(), scope);
        if (analyse) {
            iterable.markUsed();
            iterable.addOp("array_access");
        }
        if (iterable.isUndefined()) {
            iterable = new Value.Array();
        }
        List<Value> items = new ArrayList<>();
        boolean dict = iterable instanceof Value.Obj;
        switch (iterable) {
            case Value.Obj o -> {
                for (Value.Obj.Entry e : o.entryList()) {
                    items.add(new Value.Tuple(List.of(e.key, e.value)));
                }
                if (analyse) {
                    o.addOp("object_access");
                }
            }
            case Value.Array a -> items.addAll(a.items);
            default -> throw EvalError.render("Expected iterable or object type in for loop: got " + iterable.typeName());
        }
        charge(items.size());
        List<Value> kept = new ArrayList<>();
        List<Consumer<Scope>> binders = new ArrayList<>();
        for (Value item : items) {
            Value current = item;
            Consumer<Scope> bind;
            if (n.loopVar() instanceof Node.Identifier id) {
                if (dict) {
                    current = ((Value.Array) item).items.getFirst();
                }
                Value bound = current;
                bind = sc -> sc.set(id.name(), bound);
            } else {
                Node.TupleLiteral names = (Node.TupleLiteral) n.loopVar();
                if (!(current instanceof Value.Array parts)) {
                    throw EvalError.render("Cannot unpack non-iterable type: " + current.typeName());
                }
                if (names.items().size() != parts.items.size()) {
                    throw EvalError.render("Too " + (names.items().size() > parts.items.size() ? "few" : "many") + " items to unpack");
                }
                bind = sc -> unpack(names.items(), parts.items, sc);
            }
            if (select != null) {
                Scope probe = new Scope(scope);
                bind.accept(probe);
                if (!eval(select.test(), probe).truthy()) {
                    continue;
                }
            }
            kept.add(current);
            binders.add(bind);
        }
        boolean none = true;
        int size = kept.size();
        for (int i = 0; i < size; i++) {
            step();
            Value.Obj loop = new Value.Obj(false);
            loop.put("index", new Value.Int(i + 1));
            loop.put("index0", new Value.Int(i));
            loop.put("revindex", new Value.Int(size - i));
            loop.put("revindex0", new Value.Int(size - i - 1));
            loop.put("first", Value.bool(i == 0));
            loop.put("last", Value.bool(i == size - 1));
            loop.put("length", new Value.Int(size));
            loop.put("previtem", i > 0 ? kept.get(i - 1) : Value.undefined("previtem"));
            loop.put("nextitem", i < size - 1 ? kept.get(i + 1) : Value.undefined("nextitem"));
            scope.set("loop", loop);
            binders.get(i).accept(scope);
            try {
                renderBody(n.body(), scope, out);
            } catch (LoopSignal s) {
                if (s.isBreak) {
                    break;
                }
                continue; // as llama.cpp: an iteration ended by continue does not count as one for the else block
            }
            none = false;
        }
        if (none) {
            renderBody(n.otherwise(), outer, out);
        }
    }

    private static void unpack(List<Node.Expression> names, List<Value> values, Scope scope) {
        for (int j = 0; j < names.size(); j++) {
            if (!(names.get(j) instanceof Node.Identifier id)) {
                throw EvalError.render("Cannot unpack to a non-identifier");
            }
            scope.set(id.name(), values.get(j));
        }
    }

    private void set(Node.Set n, Scope scope) {
        Value rhs = n.value() != null ? eval(n.value(), scope) : renderToString(n.body(), scope);
        switch (n.target()) {
            case Node.Identifier id -> scope.set(id.name(), rhs);
            case Node.TupleLiteral names -> {
                if (!(rhs instanceof Value.Array parts)) {
                    throw EvalError.render("Cannot unpack non-iterable type in set: " + rhs.typeName());
                }
                if (parts.items.size() != names.items().size()) {
                    throw EvalError.render("Too " + (names.items().size() > parts.items.size() ? "few" : "many") + " items to unpack in set");
                }
                unpack(names.items(), parts.items, scope);
            }
            case Node.Member m -> {
                if (m.computed()) {
                    throw EvalError.render("Cannot assign to computed member");
                }
                if (!(m.property() instanceof Node.Identifier prop)) {
                    throw EvalError.render("Cannot assign to member with non-identifier property");
                }
                if (!(eval(m.object(), scope) instanceof Value.Obj o)) {
                    throw EvalError.render("Cannot assign to member of non-object");
                }
                o.put(prop.name(), rhs);
            }
            default -> throw EvalError.render("Invalid left-hand side of an assignment");
        }
    }

    private Value.Func macro(Node.Macro n) {
        return new Value.Func(n.name(), args -> {
            Scope scope = new Scope(args.scope);
            bindParameters(n.name(), n.params(), args, scope);
            return renderNested(n.body(), scope);
        }, null);
    }

    /** A macro or {@code caller()} body: counts towards the depth bound. */
    private Value.Str renderNested(List<Node> body, Scope scope) {
        if (++depth > limits.maxDepth()) {
            throw EvalError.limit("macro calls nested deeper than " + limits.maxDepth());
        }
        try {
            return renderToString(body, scope);
        } finally {
            depth--;
        }
    }

    /**
     * Binds call arguments to parameters as llama.cpp does: parameter {@code i} takes the keyword
     * argument of its name, else positional argument {@code i}; parameters past the number of
     * arguments take their defaults (evaluated in the caller's scope).
     */
    private void bindParameters(String name, List<Node.Expression> params, Args args, Scope scope) {
        for (int i = 0; i < params.size(); i++) {
            Node.Expression p = params.get(i);
            String param = switch (p) {
                case Node.Identifier id -> id.name();
                case Node.KeywordArg kw -> kw.name();
                default -> throw EvalError.render("Invalid parameter type in '" + name + "'");
            };
            if (i < args.count()) {
                scope.set(param, args.kwargOrPos(param, i));
            } else if (p instanceof Node.KeywordArg kw) {
                scope.set(param, eval(kw.value(), args.scope));
            } else {
                throw EvalError.render("Not enough arguments provided to '" + name + "'");
            }
        }
    }

    private Value callBlock(Node.CallBlock n, Scope scope) {
        Value callee = eval(n.call().callee(), scope);
        if (!(callee instanceof Value.Func f)) {
            throw EvalError.render("Callee is not a function: got " + callee.typeName());
        }
        Value.Func caller = new Value.Func("caller", args -> {
            Scope block = new Scope(scope);
            bindParameters("caller", n.callerParams(), args, block);
            return renderNested(n.body(), block);
        }, null);
        Scope callScope = new Scope(scope);
        callScope.set("caller", caller);
        List<Value> values = new ArrayList<>();
        for (Node.Expression a : n.call().args()) {
            values.add(eval(a, scope));
        }
        return f.invoke(new Args(this, callScope, values));
    }

    // --- expressions ---------------------------------------------------------------------

    /** Evaluates an expression; an error without a place is placed at the innermost node. */
    Value eval(Node.Expression node, Scope scope) {
        return placed(node, () -> evalUnchecked(node, scope));
    }

    /** Runs {@code work} one level deeper, at {@code node}: an {@link EvalError} it throws is placed there. */
    private <T> T placed(Node node, Supplier<T> work) {
        enter(node);
        try {
            return work.get();
        } catch (LoopSignal | TemplateException e) {
            throw e;
        } catch (EvalError e) {
            throw at(node, e.kind, e.getMessage());
        } finally {
            depth--;
        }
    }

    private Value evalUnchecked(Node.Expression node, Scope scope) {
        return switch (node) {
            case Node.StringLiteral s -> Value.str(s.value());
            case Node.IntLiteral i -> new Value.Int(i.value());
            case Node.FloatLiteral f -> new Value.Flt(f.value());
            case Node.Identifier id -> identifier(id.name(), scope);
            case Node.ArrayLiteral a -> new Value.Array(evalAll(a.items(), scope));
            case Node.TupleLiteral t -> new Value.Tuple(evalAll(t.items(), scope));
            case Node.ObjectLiteral o -> {
                Value.Obj obj = new Value.Obj();
                for (int i = 0; i < o.keys().size(); i++) {
                    Value key = eval(o.keys().get(i), scope);
                    obj.put(key, eval(o.values().get(i), scope));
                }
                yield obj;
            }
            case Node.Member m -> Members.member(this, m, scope);
            case Node.Call c -> {
                List<Value> args = evalAll(c.args(), scope);
                Value callee = eval(c.callee(), scope);
                if (!(callee instanceof Value.Func f)) {
                    throw EvalError.render("Callee is not a function: got " + callee.typeName());
                }
                yield f.invoke(new Args(this, scope, args));
            }
            case Node.KeywordArg k -> new Value.Kwarg(k.name(), eval(k.value(), scope));
            case Node.Binary b -> Operators.binary(this, b, scope);
            case Node.Unary u -> Operators.unary(u.op(), eval(u.operand(), scope));
            case Node.Filter f -> Builtins.applyFilter(this, f.filter(), eval(f.operand(), scope), scope);
            case Node.Test t -> Builtins.test(this, t, scope);
            case Node.Ternary t -> eval(t.condition(), scope).truthy() ? eval(t.whenTrue(), scope) : eval(t.whenFalse(), scope);
            case Node.Select s -> eval(s.test(), scope).truthy() ? eval(s.value(), scope) : Value.undefined("");
            case Node.Blank b -> Value.undefined("");
            case Node.Slice s -> throw EvalError.render("a slice is only valid inside [ ]");
            case Node.Spread s -> throw EvalError.render("argument unpacking (*args) is not supported");
        };
    }

    List<Value> evalAll(List<Node.Expression> nodes, Scope scope) {
        List<Value> values = new ArrayList<>(nodes.size());
        for (Node.Expression n : nodes) {
            values.add(eval(n, scope));
        }
        return values;
    }

    private Value identifier(String name, Scope scope) {
        Value v = scope.get(name);
        if (v != null && !v.isUndefined()) {
            if (analyse) {
                v.markUsed();
            }
            return v;
        }
        Value.Handler builtin = Builtins.GLOBALS.get(name);
        if (builtin != null) {
            return new Value.Func(name, builtin, null);
        }
        return Value.undefined(name);
    }

    // --- bookkeeping -----------------------------------------------------------------------

    private void enter(Node node) {
        step();
        if (++depth > limits.maxDepth()) {
            throw at(node, TemplateException.Kind.LIMIT, "evaluation nested deeper than " + limits.maxDepth());
        }
    }

    void step() {
        charge(1);
    }

    /**
     * Counts work against the step bound: one unit per node and loop iteration, per list item and
     * per 16 characters a builtin produces, so that cheap-looking calls on big values cost their size.
     */
    void charge(long units) {
        steps += units;
        if (steps > limits.maxSteps()) {
            throw EvalError.limit("more than " + limits.maxSteps() + " evaluation steps");
        }
    }

    /** A string the template built, refused past the size bound. */
    Value.Str str(String s) {
        checkChars(s.length());
        return Value.str(s);
    }

    /** A string the template built from text with input spans, refused past the size bound. */
    Value.Str str(Out s) {
        checkChars(s.length());
        return s.toStr();
    }

    /** A string the template built, with these input spans, refused past the size bound. */
    Value.Str str(String s, io.infernet.chat.template.InputSpans input) {
        checkChars(s.length());
        return Value.str(s, input);
    }

    /** Refuses to build a string of {@code count} characters past the size bound (checked before building it). */
    void checkChars(double count) {
        if (count > limits.maxStringChars()) {
            throw EvalError.limit("a string longer than " + limits.maxStringChars() + " characters");
        }
        charge((long) count >> 4);
    }

    /** A list of {@code count} items the template builds, refused past the size bound and charged to the step bound. */
    void checkItems(long count) {
        if (count > limits.maxItems()) {
            throw EvalError.limit("a list of more than " + limits.maxItems() + " items");
        }
        charge(count);
    }

    TemplateException at(Node node, TemplateException.Kind kind, String message) {
        int[] lc = Positions.lineColumn(source, node.pos());
        return new TemplateException(kind, message, lc[0], lc[1]);
    }
}
