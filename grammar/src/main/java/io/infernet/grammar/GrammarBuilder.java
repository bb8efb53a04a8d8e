package io.infernet.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Collects named rules into a {@link Grammar}. Rule names are made of {@code [a-zA-Z0-9-]} (other
 * characters become {@code -}). Adding a name that is taken by a different body gives the body a
 * fresh name ({@code name0}, {@code name1}, ...) and returns it; adding an equal body again returns
 * the existing name (as llama.cpp's JSON schema compiler does). Not thread-safe.
 *
 * <p>Expressions come from the factories on {@link Expr}; for example the Hermes tool call
 * {@code <tool_call>\n{"name": ...}</tool_call>} is
 * {@code seq(literal("<tool_call>\n"), ref(call), literal("\n</tool_call>"))}, with {@code call} a
 * rule added by {@link JsonSchemaCompiler#addSchema}.
 */
public final class GrammarBuilder {
    private static final Pattern INVALID_NAME_CHARS = Pattern.compile("[^a-zA-Z0-9-]+");

    private final Map<String, Expr> rules = new LinkedHashMap<>();

    /** Adds a rule and returns the name it got (see the class comment). */
    public String addRule(String name, Expr body) {
        String n = sanitize(name);
        Expr existing = rules.get(n);
        if (existing == null || existing.equals(body)) {
            rules.put(n, body);
            return n;
        }
        for (int i = 0; ; i++) {
            String candidate = n + i;
            Expr e = rules.get(candidate);
            if (e == null || e.equals(body)) {
                rules.put(candidate, body);
                return candidate;
            }
        }
    }

    /** Sets the rule to this body, replacing one of the same name. */
    public GrammarBuilder putRule(String name, Expr body) {
        rules.put(sanitize(name), body);
        return this;
    }

    public boolean hasRule(String name) {
        return rules.containsKey(name);
    }

    public Expr rule(String name) {
        return rules.get(name);
    }

    /** The grammar starting at {@code root}. */
    public Grammar build(String root) {
        return new Grammar(rules, root);
    }

    /** The grammar starting at {@code root}. */
    public Grammar build() {
        return build("root");
    }

    static String sanitize(String name) {
        return INVALID_NAME_CHARS.matcher(name).replaceAll("-");
    }
}
