package io.infernet.engines.inprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.chat.parse.CallSyntax;
import io.infernet.engines.DecodingOptions.ToolCallConstraint.Tool;
import io.infernet.engines.Json;
import io.infernet.grammar.Expr;
import io.infernet.grammar.Gbnf;
import io.infernet.grammar.Grammar;
import io.infernet.grammar.GrammarBuilder;
import io.infernet.grammar.GrammarException;
import io.infernet.grammar.JsonSchemaCompiler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grammar of a message's tool calls written in a model's own call syntax ({@link CallSyntax},
 * from its chat template), each call's arguments following that tool's {@code parameters} schema:
 * <pre>
 * root   ::= prefix call (separator call)* suffix     (one call unless parallel calls are allowed)
 * call   ::= call-tool0 | call-tool1 | ...             (one alternative per tool: its name fixed, its arguments its own)
 * </pre>
 * The arguments slot is one JSON object (the schema compiled by {@link JsonSchemaCompiler}), or, for
 * syntaxes that write tagged key/value pairs, one pair per property: required ones in order, then the
 * optional ones, each at most once; a string value is written raw and may not contain the first
 * character of its closing tag (so it can never close early); other values are JSON. The ID slot
 * follows the syntax's id pattern (written in the common subset of regular expressions and GBNF);
 * the INDEX slot counts calls from 0 (the calls are unrolled, at most {@value #MAX_INDEXED_CALLS}).
 */
final class ToolCallGrammar {
    /** Calls one message may hold when the syntax numbers them. */
    static final int MAX_INDEXED_CALLS = 8;

    private final CallSyntax syntax;
    private final GrammarBuilder builder = new GrammarBuilder();
    private final JsonSchemaCompiler schemas = new JsonSchemaCompiler(builder);

    private ToolCallGrammar(CallSyntax syntax) {
        this.syntax = syntax;
    }

    /**
     * @param syntax   how the model writes calls
     * @param tools    the tools that may be called (one, for a named function)
     * @param parallel whether one message may hold several calls (when the syntax allows it)
     * @throws GrammarException naming the tool and what in its parameters cannot be constrained
     */
    static Grammar build(CallSyntax syntax, List<Tool> tools, boolean parallel) {
        return new ToolCallGrammar(syntax).grammar(tools, parallel && syntax.parallel());
    }

    private Grammar grammar(List<Tool> tools, boolean parallel) {
        boolean indexed = syntax.call().contains(CallSyntax.Slot.INDEX);
        Expr body;
        if (indexed) {
            int calls = parallel ? MAX_INDEXED_CALLS : 1;
            Expr tail = null;
            for (int i = calls - 1; i >= 0; i--) {
                Expr call = Expr.ref(callRule(tools, i));
                Expr more = tail == null ? null : Expr.optional(Expr.seq(Expr.literal(syntax.separator()), tail));
                tail = more == null ? call : Expr.seq(call, more);
            }
            body = tail;
        } else {
            Expr call = Expr.ref(callRule(tools, -1));
            body = parallel ? Expr.seq(call, Expr.star(Expr.seq(Expr.literal(syntax.separator()), call))) : call;
        }
        builder.addRule("root", Expr.seq(Expr.literal(syntax.prefix()), body, Expr.literal(syntax.suffix())));
        return builder.build("root");
    }

    /** {@code call ::= call-tool0 | ...} for the call at {@code index} (-1: any position). */
    private String callRule(List<Tool> tools, int index) {
        List<Expr> alternatives = new ArrayList<>();
        for (Tool t : tools) {
            alternatives.add(Expr.ref(toolCallRule(t, index)));
        }
        return builder.addRule(index < 0 ? "call" : "call-" + index, Expr.alt(alternatives));
    }

    private final Map<String, String> argumentRules = new java.util.HashMap<>();

    private String toolCallRule(Tool tool, int index) {
        List<Expr> parts = new ArrayList<>();
        for (CallSyntax.Part part : syntax.call()) {
            parts.add(switch (part) {
                case CallSyntax.Literal l -> Expr.literal(l.text());
                case CallSyntax.Slot s -> switch (s) {
                    case NAME -> Expr.literal(tool.name());
                    case ID -> idExpr();
                    case INDEX -> Expr.literal(Integer.toString(Math.max(0, index)));
                    case ARGUMENTS -> Expr.ref(argumentRules.computeIfAbsent(tool.name(), n -> arguments(tool)));
                };
            });
        }
        return builder.addRule(tool.name() + "-call" + (index < 0 ? "" : "-" + index), Expr.seq(parts));
    }

    private Expr idExpr() {
        try {
            return Gbnf.parseExpr(syntax.idPattern());
        } catch (GrammarException e) {
            throw new GrammarException("the model's tool-call id pattern '" + syntax.idPattern() + "' cannot be constrained: " + e.getMessage());
        }
    }

    private String arguments(Tool tool) {
        JsonNode params = parameters(tool);
        if (syntax.arguments() == null) {
            try {
                return schemas.addSchema(tool.name() + "-args", params);
            } catch (GrammarException e) {
                throw new GrammarException("tool '" + tool.name() + "' parameters: " + e.getMessage());
            }
        }
        return taggedArguments(tool, params, syntax.arguments());
    }

    /** The parameters schema; absent or empty means no arguments (an empty object). */
    private static JsonNode parameters(Tool tool) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(tool.parameters());
        } catch (IOException e) {
            throw new GrammarException("tool '" + tool.name() + "' parameters are not JSON: " + e.getMessage());
        }
        if (n == null || n.isNull() || (n.isObject() && n.isEmpty())) {
            ObjectNode empty = Json.object();
            empty.put("type", "object");
            empty.putObject("properties");
            empty.put("additionalProperties", false);
            return empty;
        }
        return n;
    }

    /** Tagged pairs, required properties first in order, then each optional one at most once, in order. */
    private String taggedArguments(Tool tool, JsonNode params, CallSyntax.TaggedArguments tags) {
        String where = "tool '" + tool.name() + "' parameters";
        if (!params.isObject() || !"object".equals(params.path("type").asText("object"))) {
            throw new GrammarException(where + ": this model writes arguments as tagged pairs, which needs an object schema");
        }
        Set<String> allowed = Set.of("type", "properties", "required", "additionalProperties", "title", "description", "$schema");
        for (var it = params.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new GrammarException(where + ": '" + k + "' is not supported when the model writes arguments as tagged pairs");
            }
        }
        JsonNode props = params.path("properties");
        Set<String> required = new LinkedHashSet<>();
        params.path("required").forEach(r -> required.add(r.asText()));
        for (String r : required) {
            if (!props.has(r)) {
                throw new GrammarException(where + ": required property '" + r + "' is not among the properties");
            }
        }
        List<String> order = new ArrayList<>(required);
        props.fieldNames().forEachRemaining(k -> {
            if (!required.contains(k)) {
                order.add(k);
            }
        });
        String rule = tool.name() + "-args";
        if (order.isEmpty()) {
            return builder.addRule(rule, Expr.literal(""));
        }
        if (required.isEmpty()) {
            return builder.addRule(rule, optionalOnly(tool, order, props, tags, where));
        }
        // required pairs come first, so every pair after the first one follows a pair: it takes the separator
        List<Expr> pairs = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            String key = order.get(i);
            Expr pair = pair(tool, key, props.get(key), tags, where);
            if (i == 0) {
                pairs.add(pair);
            } else {
                Expr item = Expr.seq(Expr.literal(tags.separator()), pair);
                pairs.add(required.contains(key) ? item : Expr.optional(item));
            }
        }
        return builder.addRule(rule, Expr.seq(pairs));
    }

    /** {@code (p1 (sep p2)? (sep p3)? | p2 (sep p3)? | p3)?}: optional pairs in order, separated. */
    private Expr optionalOnly(Tool tool, List<String> order, JsonNode props, CallSyntax.TaggedArguments tags, String where) {
        List<Expr> starts = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            List<Expr> seq = new ArrayList<>();
            seq.add(pair(tool, order.get(i), props.get(order.get(i)), tags, where));
            for (int j = i + 1; j < order.size(); j++) {
                seq.add(Expr.optional(Expr.seq(Expr.literal(tags.separator()), pair(tool, order.get(j), props.get(order.get(j)), tags, where))));
            }
            starts.add(Expr.seq(seq));
        }
        return Expr.optional(Expr.alt(starts));
    }

    private final Map<String, String> pairRules = new java.util.HashMap<>();

    private Expr pair(Tool tool, String key, JsonNode schema, CallSyntax.TaggedArguments tags, String where) {
        String rule = pairRules.computeIfAbsent(tool.name() + "\u0000" + key, k -> {
            Expr value;
            Expr pair;
            if (isString(schema)) {
                value = rawString(schema, tags.stringValueSuffix(), where + ": property '" + key + "'");
                pair = Expr.seq(Expr.literal(tags.keyPrefix() + key + tags.stringKeySuffix()), value, Expr.literal(tags.stringValueSuffix()));
            } else {
                String name;
                try {
                    name = schemas.addSchema(tool.name() + "-" + key, schema);
                } catch (GrammarException e) {
                    throw new GrammarException(where + ": property '" + key + "': " + e.getMessage());
                }
                pair = Expr.seq(Expr.literal(tags.keyPrefix() + key + tags.jsonKeySuffix()), Expr.ref(name), Expr.literal(tags.jsonValueSuffix()));
            }
            return builder.addRule(tool.name() + "-" + key + "-kv", pair);
        });
        return Expr.ref(rule);
    }

    /** A schema whose values are strings only: {@code type: string}, or an enum/const of strings. */
    private static boolean isString(JsonNode schema) {
        if ("string".equals(schema.path("type").asText(""))) {
            return true;
        }
        JsonNode values = schema.has("const") ? Json.array().add(schema.get("const")) : schema.get("enum");
        if (values == null || !values.isArray() || values.isEmpty() || schema.has("type")) {
            return false;
        }
        for (JsonNode v : values) {
            if (!v.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** A raw (unquoted) string: enum/const values as written, else characters other than the closing tag's first, within the length bounds. */
    private static Expr rawString(JsonNode schema, String closing, String where) {
        JsonNode values = schema.has("const") ? Json.array().add(schema.get("const")) : schema.get("enum");
        if (values != null) {
            List<Expr> options = new ArrayList<>();
            for (JsonNode v : values) {
                if (!v.isTextual() || v.textValue().contains(closing)) {
                    throw new GrammarException(where + ": enum value " + v + " cannot be written raw before '" + closing + "'");
                }
                options.add(Expr.literal(v.textValue()));
            }
            return Expr.alt(options);
        }
        Set<String> allowed = Set.of("type", "minLength", "maxLength", "title", "description", "default", "examples");
        for (var it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new GrammarException(where + ": '" + k + "' is not supported for a string written raw between tags");
            }
        }
        int min = schema.path("minLength").asInt(0);
        int max = schema.has("maxLength") ? schema.get("maxLength").asInt() : Expr.Repeat.UNBOUNDED;
        int stop = closing.codePointAt(0);
        return Expr.repeat(Expr.chars(true, stop, stop), min, max);
    }
}
