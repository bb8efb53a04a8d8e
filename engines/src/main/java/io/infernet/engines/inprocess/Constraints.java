package io.infernet.engines.inprocess;

import io.infernet.chat.parse.CallSyntax;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.DecodingOptions.ToolCallConstraint;
import io.infernet.engines.EngineException;
import io.infernet.grammar.CompiledGrammar;
import io.infernet.grammar.Grammar;
import io.infernet.grammar.GrammarException;
import io.infernet.grammar.JsonSchemaCompiler;
import io.infernet.grammar.TokenMask;
import io.infernet.grammar.Vocabulary;
import io.infernet.runtime.serve.OutputConstraint;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A request's output constraint for the served model, from its {@link DecodingOptions} and the call
 * syntax of its prompt's chat format:
 * {@code response_format} json_object / json_schema from the first token; {@code tool_choice}
 * "required" or a named function as a call in the model's syntax from the first token; "auto" as
 * that call grammar applied lazily from the syntax's trigger words (when a JSON response_format is
 * also set, the format wins and tool calls are left free). A named function is called once;
 * otherwise {@code parallel_tool_calls} allows several calls where the syntax has a separator.
 *
 * <p>Grammars compile on the caller's thread (never the engine's) and are cached by their source
 * (the schema text; the tools, mode and syntax) and the grammar vocabulary they were compiled for
 * (which control tokens the request shows), {@value #CACHE_ENTRIES} at most, least recently
 * used out; a new one also gets its start state's mask computed here, so the engine thread's first
 * step for it is a copy. Thread-safe.
 */
final class Constraints {
    static final int CACHE_ENTRIES = 64;

    private final Function<BitSet, Vocabulary> vocabulary;
    private final Map<String, CompiledGrammar> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompiledGrammar> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };
    private long compiles;

    /**
     * @param vocabulary the model's vocabulary as the grammar sees it, with the given control tokens
     *                   shown as their text (null: none); asked for when a grammar compiles
     */
    Constraints(Function<BitSet, Vocabulary> vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** Grammars compiled since start (cache misses). */
    synchronized long compiles() {
        return compiles;
    }

    /**
     * @param syntax how the model writes tool calls (the prompt's chat format); needed only with a tool-call constraint
     * @param shown  the control tokens the request's output shows as text ({@code ServeRequest.shownControl}), or null
     * @return the constraint, or null when the output is free
     * @throws EngineException INVALID_REQUEST naming {@code response_format} or {@code tools} when a schema cannot be constrained
     */
    OutputConstraint of(DecodingOptions d, CallSyntax syntax, BitSet shown) {
        ToolCallConstraint tools = d.toolCalls();
        boolean jsonFormat = !(d.format() instanceof DecodingOptions.Text);
        if (tools != null && (tools.mode() != ToolCallConstraint.Mode.AUTO || !jsonFormat)) {
            return toolCalls(tools, Objects.requireNonNull(syntax, "a tool-call constraint needs the model's call syntax"), shown);
        }
        return switch (d.format()) {
            case DecodingOptions.Text t -> null;
            case DecodingOptions.JsonObject j -> OutputConstraint.of(compiled("json_object", JsonSchemaCompiler::anyJsonObject, shown,
                    "response_format"));
            case DecodingOptions.JsonSchema s -> OutputConstraint.of(compiled("schema:" + s.schema(),
                    () -> JsonSchemaCompiler.compile(s.schema()), shown, "response_format"));
        };
    }

    private OutputConstraint toolCalls(ToolCallConstraint c, CallSyntax syntax, BitSet shown) {
        List<ToolCallConstraint.Tool> tools = c.mode() == ToolCallConstraint.Mode.NAMED
                ? c.tools().stream().filter(t -> t.name().equals(c.function())).toList() : c.tools();
        boolean parallel = c.parallel() && c.mode() != ToolCallConstraint.Mode.NAMED; // a named function: one call of it
        StringBuilder key = new StringBuilder("tools:").append(syntax).append('|').append(parallel);
        for (ToolCallConstraint.Tool t : tools) {
            key.append('|').append(t.name()).append('=').append(t.parameters());
        }
        CompiledGrammar g = compiled(key.toString(), () -> ToolCallGrammar.build(syntax, tools, parallel), shown, "tools");
        if (c.mode() != ToolCallConstraint.Mode.AUTO) {
            return OutputConstraint.of(g);
        }
        // triggers the grammar can begin with (a syntax may list several spellings, one per opening)
        List<String> triggers = syntax.triggers().stream().filter(w -> g.matcher().acceptString(w)).toList();
        return triggers.isEmpty() ? null : OutputConstraint.lazy(g, triggers);
    }

    private CompiledGrammar compiled(String source, Supplier<Grammar> grammar, BitSet shown, String param) {
        String key = (shown == null || shown.isEmpty() ? "" : "shown" + shown + ":") + source;
        synchronized (this) {
            CompiledGrammar hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        Vocabulary v = vocabulary.apply(shown);
        CompiledGrammar g;
        try {
            g = CompiledGrammar.compile(grammar.get(), v);
        } catch (GrammarException e) {
            throw new EngineException(EngineException.Kind.INVALID_REQUEST, (param.equals("tools") ? "" : "response_format: ") + e.getMessage(), param);
        }
        g.matcher().fillMask(TokenMask.allocate(v.size())); // the start state's mask, off the engine thread
        synchronized (this) {
            compiles++;
            cache.put(key, g);
        }
        return g;
    }
}
