package io.infernet.grammar;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A grammar: named rules and the one generation starts from. Immutable. Every reference names a
 * rule of the grammar (checked here); rules nothing reaches from the root are kept but unused.
 *
 * @param rules by name, in the order they were added
 * @param root  the start rule's name
 */
public record Grammar(Map<String, Expr> rules, String root) {

    public Grammar {
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        Objects.requireNonNull(root, "root");
        if (!rules.containsKey(root)) {
            throw new GrammarException("the grammar has no rule '" + root + "' to start from; define it (GBNF: " + root + " ::= ...)");
        }
        for (var e : rules.entrySet()) {
            checkRefs(e.getKey(), e.getValue(), rules);
        }
    }

    /** The rule's body. */
    public Expr rule(String name) {
        Expr e = rules.get(name);
        if (e == null) {
            throw new GrammarException("no rule named '" + name + "'");
        }
        return e;
    }

    /** The names of the rules reachable from the root, root included. */
    public Set<String> reachable() {
        Set<String> seen = new TreeSet<>();
        var todo = new ArrayDeque<String>();
        todo.add(root);
        seen.add(root);
        while (!todo.isEmpty()) {
            forEachRef(rules.get(todo.poll()), name -> {
                if (seen.add(name)) {
                    todo.add(name);
                }
            });
        }
        return seen;
    }

    /** The grammar as GBNF text, one rule a line, sorted by name (as llama.cpp's compiler prints). */
    public String toGbnf() {
        StringBuilder out = new StringBuilder();
        for (var e : new TreeMap<>(rules).entrySet()) {
            out.append(e.getKey()).append(" ::= ").append(Gbnf.print(e.getValue())).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toGbnf();
    }

    static void forEachRef(Expr e, java.util.function.Consumer<String> action) {
        switch (e) {
            case Expr.Ref r -> action.accept(r.name());
            case Expr.Seq s -> s.items().forEach(x -> forEachRef(x, action));
            case Expr.Alt a -> a.options().forEach(x -> forEachRef(x, action));
            case Expr.Repeat r -> forEachRef(r.item(), action);
            case Expr.Literal l -> { }
            case Expr.CharClass c -> { }
            case Expr.Token t -> { }
        }
    }

    private static void checkRefs(String rule, Expr body, Map<String, Expr> rules) {
        forEachRef(body, name -> {
            if (!rules.containsKey(name)) {
                throw new GrammarException("rule '" + rule + "' refers to '" + name + "', which is not defined; define it or fix the name");
            }
        });
    }
}
