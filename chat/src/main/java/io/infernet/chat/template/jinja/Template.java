package io.infernet.chat.template.jinja;

import io.infernet.chat.template.PromptText;
import io.infernet.chat.template.TemplateException;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * A parsed Jinja template: immutable, safe to render from many threads at once (each render has
 * its own variables). The dialect is the one of Hugging Face chat templates as llama.cpp's engine
 * runs them ({@code trim_blocks} and {@code lstrip_blocks} on, Python-like string and list
 * methods, {@code namespace}, {@code raise_exception}, {@code strftime_now}, {@code tojson});
 * values reach it only as {@link Value}s built by {@link Values}, never as Java objects.
 */
public final class Template {
    private final String source;
    private final List<Node> program;

    private Template(String source, List<Node> program) {
        this.source = source;
        this.program = program;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateException of kind {@code SYNTAX}, with the line and column of the fault
     */
    public static Template parse(String source) {
        Lexer.Lexed lexed = Lexer.tokenize(source);
        return new Template(lexed.source(), Parser.parse(lexed));
    }

    /** The source as parsed: line ends normalized to {@code \n}, one final newline dropped; error positions count in it. */
    public String source() {
        return source;
    }

    /**
     * Renders with these global variables ({@code true}, {@code false}, {@code none} and their
     * capitalized forms are predefined; a global of the same name replaces them).
     *
     * @param now     the instant {@code strftime_now} formats, in its zone
     * @param analyse whether to set the usage marks of the values ({@link Value#used()}, {@link Value#ops()}); slower
     * @throws TemplateException of kind {@code RAISED}, {@code RENDER} or {@code LIMIT}, placed in the template
     */
    public String render(Map<String, Value> globals, ZonedDateTime now, Limits limits, boolean analyse) {
        return new Interpreter(source, analyse, now, limits).render(program, globals(globals)).toString();
    }

    /**
     * Renders as {@link #render} does, also telling which characters of the output came from
     * input data: strings made with {@link Values#fromInput} and everything derived from them
     * (concatenated, sliced, stripped, split, case-changed, replaced into, joined, formatted,
     * indented; JSON or {@code str()} of a list or dict with any input in it is input as a whole).
     * The template's own text, including what it builds from input by lookups and tests, is not.
     */
    public PromptText renderMarked(Map<String, Value> globals, ZonedDateTime now, Limits limits) {
        return new Interpreter(source, false, now, limits).render(program, globals(globals)).toPrompt();
    }

    /**
     * What a render in analysis mode saw: its output (null when it failed) and the top-level
     * variables at its end (the globals, as the template may have reassigned them).
     */
    public record Analysis(String output, TemplateException error, Map<String, Value> variables) {}

    /** Renders in analysis mode, setting the usage marks of the values, and never throws for the template's own errors. */
    public Analysis analyse(Map<String, Value> globals, ZonedDateTime now, Limits limits) {
        Scope scope = globals(globals);
        try {
            String out = new Interpreter(source, true, now, limits).render(program, scope).toString();
            return new Analysis(out, null, scope.variables());
        } catch (TemplateException e) {
            return new Analysis(null, e, scope.variables());
        }
    }

    private static Scope globals(Map<String, Value> globals) {
        Scope scope = new Scope(null);
        scope.set("true", Value.bool(true));
        scope.set("True", Value.bool(true));
        scope.set("false", Value.bool(false));
        scope.set("False", Value.bool(false));
        scope.set("none", new Value.None());
        scope.set("None", new Value.None());
        globals.forEach(scope::set);
        return scope;
    }
}
