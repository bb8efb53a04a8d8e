package io.infernet.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * JSON Schema to grammar: the JSON texts the grammar allows all validate against the schema
 * (soundness first: a keyword it cannot honour is a {@link GrammarException} naming it and its
 * place, never ignored). Rule names and shapes follow llama.cpp's json-schema-to-grammar, so its
 * grammars read the same; where llama.cpp would let invalid output through, ours is tighter (see
 * {@code docs} in the report: string escapes, dates, patterns, number bounds, oneOf, allOf).
 *
 * <p>Output layout: no whitespace before the value or after it; between tokens inside objects and
 * arrays at most one run of {@code space ::= | " " | "\n"{1,2} [ \t]{0,20}}. Properties come in
 * declared order, required ones first (as llama.cpp and OpenAI do); absent
 * {@code additionalProperties} allows none when {@code properties} are given.
 *
 * <p>Not thread-safe; one compiler per grammar being built.
 */
public final class JsonSchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SPACE_RULE = "| \" \" | \"\\n\"{1,2} [ \\t]{0,20}";

    /** Keywords that only annotate: ignored. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "examples", "example", "default", "$schema",
            "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "discriminator",
            "contentMediaType", "contentEncoding", "externalDocs", "xml", "additionalItems");
    /** Keywords honoured (some only in some combinations, checked where they are read). */
    private static final Set<String> SUPPORTED = Set.of("type", "enum", "const", "properties", "required",
            "additionalProperties", "items", "prefixItems", "minItems", "maxItems", "anyOf", "oneOf", "allOf", "$ref",
            "pattern", "format", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "nullable", "uniqueItems", "minProperties", "maxProperties", "multipleOf");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

    private record Builtin(String body, List<String> deps) {}

    private static final Map<String, Builtin> PRIMITIVES = new LinkedHashMap<>();
    private static final Map<String, Builtin> FORMATS = new LinkedHashMap<>();

    static {
        PRIMITIVES.put("boolean", new Builtin("(\"true\" | \"false\")", List.of()));
        PRIMITIVES.put("decimal-part", new Builtin("[0-9]{1,16}", List.of()));
        PRIMITIVES.put("integral-part", new Builtin("[0] | [1-9] [0-9]{0,15}", List.of()));
        PRIMITIVES.put("number", new Builtin("(\"-\"? integral-part) (\".\" decimal-part)? ([eE] [-+]? integral-part)?",
                List.of("integral-part", "decimal-part")));
        PRIMITIVES.put("integer", new Builtin("(\"-\"? integral-part)", List.of("integral-part")));
        PRIMITIVES.put("value", new Builtin("object | array | string | number | boolean | null",
                List.of("object", "array", "string", "number", "boolean", "null")));
        PRIMITIVES.put("object", new Builtin("\"{\" space ( string \":\" space value (\",\" space string \":\" space value)* )? space \"}\"",
                List.of("string", "value")));
        PRIMITIVES.put("array", new Builtin("\"[\" space ( value (\",\" space value)* )? space \"]\"", List.of("value")));
        PRIMITIVES.put("uuid", new Builtin("\"\\\"\" [0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12} \"\\\"\"",
                List.of()));
        // As llama.cpp's, but a u escape never names a surrogate (a lone one is not text, a pair would
        // count as two characters against minLength/maxLength).
        PRIMITIVES.put("char", new Builtin("[^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\bfnrt] | \"u\" ([0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))",
                List.of()));
        PRIMITIVES.put("string", new Builtin("\"\\\"\" char* \"\\\"\"", List.of("char")));
        PRIMITIVES.put("null", new Builtin("\"null\"", List.of()));

        // Dates are real calendar dates (llama.cpp's allows 02-31); February stops at 28.
        FORMATS.put("date", new Builtin("[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [1-2] [0-9] | \"3\" [0-1] )"
                + " | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [1-2] [0-9] | \"30\" ) | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )",
                List.of()));
        // Offsets within java.time's +-18:00 (validators built on it refuse more), and not "-00:00".
        FORMATS.put("time", new Builtin("([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{3} )? ( \"Z\" | \"+\" ( \"0\" [0-9] | \"1\" [0-7] ) \":\" [0-5] [0-9]"
                + " | \"-\" ( ( \"0\" [1-9] | \"1\" [0-7] ) \":\" [0-5] [0-9] | \"00:\" ( [1-5] [0-9] | \"0\" [1-9] ) ) )",
                List.of()));
        FORMATS.put("date-time", new Builtin("date \"T\" time", List.of("date", "time")));
        FORMATS.put("date-string", new Builtin("\"\\\"\" date \"\\\"\"", List.of("date")));
        FORMATS.put("time-string", new Builtin("\"\\\"\" time \"\\\"\"", List.of("time")));
        FORMATS.put("date-time-string", new Builtin("\"\\\"\" date-time \"\\\"\"", List.of("date-time")));
        // Email: a plain subset every validator accepts; the top-level domain from a short list of real
        // ones (validators such as networknt check it against IANA's list).
        FORMATS.put("email-string", new Builtin("\"\\\"\" [a-zA-Z0-9]{1,20} ([._+-] [a-zA-Z0-9]{1,20}){0,2} \"@\" "
                + "([a-zA-Z0-9]{1,20} (\"-\" [a-zA-Z0-9]{1,20})? \".\"){1,3} (\"com\" | \"org\" | \"net\" | \"io\" | \"dev\" | \"ai\" | \"app\" "
                + "| \"edu\" | \"gov\" | \"de\" | \"fr\" | \"uk\" | \"jp\") \"\\\"\"", List.of()));
        FORMATS.put("ipv4-string", new Builtin("\"\\\"\" ipv4-octet \".\" ipv4-octet \".\" ipv4-octet \".\" ipv4-octet \"\\\"\"", List.of("ipv4-octet")));
        FORMATS.put("ipv4-octet", new Builtin("[0-9] | [1-9] [0-9] | \"1\" [0-9] [0-9] | \"2\" [0-4] [0-9] | \"25\" [0-5]", List.of()));
    }

    private final GrammarBuilder builder;
    /** Per document: rule names of its references; references name their rules after the document. */
    private Map<String, String> refRules = new LinkedHashMap<>();
    private String refPrefix = "";
    private JsonNode document;

    /** A compiler adding rules to {@code builder} (it gets the {@code space} rule now). */
    public JsonSchemaCompiler(GrammarBuilder builder) {
        this.builder = builder;
        if (!builder.hasRule("space")) {
            builder.putRule("space", Gbnf.parseExpr(SPACE_RULE));
        }
    }

    /** The grammar of the JSON texts that validate against {@code schema}. */
    public static Grammar compile(JsonNode schema) {
        GrammarBuilder b = new GrammarBuilder();
        new JsonSchemaCompiler(b).addSchema("root", schema);
        return b.build("root");
    }

    /** As {@link #compile(JsonNode)} for schema text. */
    public static Grammar compile(String schemaJson) {
        try {
            return compile(JSON.readTree(schemaJson));
        } catch (JsonProcessingException e) {
            throw new GrammarException("the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Any JSON object ({@code response_format: {"type": "json_object"}}). */
    public static Grammar anyJsonObject() {
        return compile("{\"type\":\"object\"}");
    }

    /**
     * Adds the rules of {@code schema} (a whole schema document: its {@code $ref}s resolve against it)
     * and returns the name of its rule: {@code name} itself unless taken, {@code root} for
     * {@code "root"} or {@code ""}.
     */
    public String addSchema(String name, JsonNode schema) {
        JsonNode saved = document;
        Map<String, String> savedRefs = refRules;
        String savedPrefix = refPrefix;
        document = schema;
        refRules = new LinkedHashMap<>();
        refPrefix = "root".equals(name) ? "" : GrammarBuilder.sanitize(name);
        try {
            return visit(schema, refPrefix, "#");
        } finally {
            document = saved;
            refRules = savedRefs;
            refPrefix = savedPrefix;
        }
    }

    // ---- rules ----

    private String addRule(String name, String gbnfBody) {
        return builder.addRule(name, Gbnf.parseExpr(gbnfBody));
    }

    private String addPrimitive(String name, Builtin rule) {
        String n = addRule(name, rule.body());
        for (String dep : rule.deps()) {
            Builtin d = PRIMITIVES.containsKey(dep) ? PRIMITIVES.get(dep) : FORMATS.get(dep);
            if (!builder.hasRule(dep)) {
                addPrimitive(dep, d);
            }
        }
        return n;
    }

    private String primitive(String type) {
        return addPrimitive(type, PRIMITIVES.get(type));
    }

    private static boolean reserved(String name) {
        return name.equals("root") || PRIMITIVES.containsKey(name) || FORMATS.containsKey(name);
    }

    // ---- the walk ----

    private String visit(JsonNode schema, String name, String path) {
        String ruleName = reserved(name) ? name + "-" : name.isEmpty() ? "root" : name;
        String subName = name.isEmpty() ? "" : name + "-";
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new GrammarException("the schema at " + path + " is false: no value validates against it");
            }
            return addRule(ruleName, primitive("value"));
        }
        if (!schema.isObject()) {
            throw new GrammarException("the schema at " + path + " must be an object or a boolean, got " + schema.getNodeType());
        }
        checkKeywords(schema, path);
        if (schema.has("$ref")) {
            onlyAnnotationsBeside(schema, "$ref", path);
            return addRule(ruleName, resolveRef(schema.get("$ref"), path));
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            if (schema.has("oneOf") && schema.has("anyOf")) {
                throw new GrammarException("anyOf together with oneOf at " + path + " is not supported; combine them into one");
            }
            String key = schema.has("oneOf") ? "oneOf" : "anyOf";
            List<JsonNode> alts = array(schema, key, path);
            checkUnionSiblings(schema, key, alts, path);
            if (key.equals("oneOf")) {
                checkDisjoint(alts, path + "/oneOf");
            }
            return addRule(ruleName, union(name, alts, path + "/" + key));
        }
        if (schema.path("nullable").asBoolean(false) && schema.has("type") && schema.get("type").isTextual()
                && !schema.get("type").asText().equals("null")) {
            ObjectNode copy = schema.deepCopy();
            copy.remove("nullable");
            copy.set("type", JSON.createArrayNode().add(schema.get("type").asText()).add("null"));
            schema = copy;
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            if (type.isEmpty()) {
                throw new GrammarException("\"type\" at " + path + " is an empty array: no value validates");
            }
            List<JsonNode> alts = new ArrayList<>();
            for (JsonNode t : type) {
                ObjectNode alt = ((ObjectNode) schema).deepCopy();
                alt.set("type", t);
                alts.add(alt);
            }
            return addRule(ruleName, union(name, alts, path + "/type"));
        }
        if (type != null && !(type.isTextual() && TYPES.contains(type.asText()))) {
            throw new GrammarException("\"type\" at " + path + " must be one of " + TYPES + " or an array of them, got " + type);
        }
        String typeName = type == null ? "" : type.asText();
        if (schema.has("const")) {
            onlyTypeBeside(schema, "const", path);
            JsonNode c = schema.get("const");
            if (!typeName.isEmpty() && !hasType(c, typeName)) {
                throw new GrammarException("\"const\" " + c + " at " + path + " is not of type " + typeName + ": no value validates");
            }
            return builder.addRule(ruleName, Expr.literal(dump(c)));
        }
        if (schema.has("enum")) {
            onlyTypeBeside(schema, "enum", path);
            List<JsonNode> values = array(schema, "enum", path);
            List<Expr> options = new ArrayList<>();
            for (JsonNode v : values) {
                if (typeName.isEmpty() || hasType(v, typeName)) {
                    options.add(Expr.literal(dump(v)));
                }
            }
            if (options.isEmpty()) {
                throw new GrammarException("no value of \"enum\" at " + path + " is of type " + typeName + ": no value validates");
            }
            return builder.addRule(ruleName, Expr.alt(options));
        }
        boolean hasProperties = schema.has("properties")
                || (schema.has("additionalProperties") && !schema.get("additionalProperties").equals(JSON.getNodeFactory().booleanNode(true)));
        if (typeName.isEmpty()) {
            if (hasProperties) {
                typeName = "object";
            } else if (schema.has("allOf")) {
                return allOf(schema, name, ruleName, path);
            } else if (schema.has("items") || schema.has("prefixItems")) {
                typeName = "array";
            } else if (schema.has("pattern") || schema.has("minLength") || schema.has("maxLength") || schema.has("format")) {
                typeName = "string";
            } else if (schema.has("minimum") || schema.has("maximum") || schema.has("exclusiveMinimum") || schema.has("exclusiveMaximum")) {
                throw new GrammarException("number bounds at " + path + " without a \"type\": say \"type\": \"number\" or \"integer\"");
            } else {
                return addRule(ruleName, primitive("value"));
            }
        }
        if (schema.has("allOf")) {
            if (typeName.equals("object") && !hasProperties || typeName.equals("string")) {
                return allOf(schema, name, ruleName, path);
            }
            throw new GrammarException("allOf beside other keywords at " + path + " is not supported; merge the subschemas");
        }
        return switch (typeName) {
            case "object" -> object(schema, name, ruleName, path);
            case "array" -> array(schema, name, ruleName, subName, path);
            case "string" -> string(schema, ruleName, path);
            case "integer" -> integer(schema, ruleName, path);
            case "number" -> number(schema, ruleName, path);
            case "boolean", "null" -> withPrimitive(ruleName, typeName);
            default -> throw new IllegalStateException(typeName);
        };
    }

    /** The primitive's rule; at the root, the root rule gets the primitive's body (as llama.cpp does). */
    private String withPrimitive(String ruleName, String type) {
        return addPrimitive(ruleName.equals("root") ? "root" : type, PRIMITIVES.get(type));
    }

    private String union(String name, List<JsonNode> alts, String path) {
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < alts.size(); i++) {
            rules.add(visit(alts.get(i), name + (name.isEmpty() ? "alternative-" : "-") + i, path + "/" + i));
        }
        return String.join(" | ", rules);
    }

    // ---- objects ----

    private String object(JsonNode schema, String name, String ruleName, String path) {
        JsonNode additional = schema.get("additionalProperties");
        if (!schema.has("properties") && (additional == null || additional.equals(JSON.getNodeFactory().booleanNode(true)))) {
            if (schema.has("required") && !schema.get("required").isEmpty()) {
                throw new GrammarException("\"required\" without \"properties\" at " + path + " is not supported; declare the properties");
            }
            checkPropertyCounts(schema, 0, true, path);
            return addRule(ruleName, primitive("object"));
        }
        Set<String> required = new LinkedHashSet<>();
        for (JsonNode r : schema.path("required")) {
            required.add(r.asText());
        }
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        JsonNode props = schema.path("properties");
        if (schema.has("properties") && !props.isObject()) {
            throw new GrammarException("\"properties\" at " + path + " must be an object");
        }
        for (var e : props.properties()) {
            properties.put(e.getKey(), e.getValue());
        }
        JsonNode extra = null; // schema of additional properties, null: none allowed
        if (additional != null && !additional.isBoolean() && !additional.isObject()) {
            throw new GrammarException("\"additionalProperties\" at " + path + " must be a boolean or a schema");
        }
        if (additional != null && (additional.isObject() || additional.booleanValue())) {
            extra = additional.isObject() ? additional : JSON.getNodeFactory().objectNode();
        }
        for (String r : required) {
            if (!properties.containsKey(r)) {
                if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                    throw new GrammarException("property '" + r + "' at " + path + " is required but additionalProperties is false and it is not "
                            + "among \"properties\": no object validates");
                }
                properties.put(r, extra != null ? extra : JSON.getNodeFactory().objectNode());
            }
        }
        checkPropertyCounts(schema, required.size(), extra != null || properties.size() > required.size(), path);
        if (schema.has("maxProperties") && (extra != null || properties.size() > schema.get("maxProperties").asInt())) {
            throw new GrammarException("\"maxProperties\" at " + path + " is supported only when the declared properties cannot exceed it");
        }
        return addRule(ruleName, objectRule(properties, required, name, extra, path));
    }

    private void checkPropertyCounts(JsonNode schema, int requiredCount, boolean more, String path) {
        if (schema.has("minProperties") && schema.get("minProperties").asInt() > requiredCount) {
            throw new GrammarException("\"minProperties\" at " + path + " is supported only up to the number of required properties ("
                    + requiredCount + ")");
        }
        if (schema.has("maxProperties") && more && !schema.has("properties")) {
            throw new GrammarException("\"maxProperties\" at " + path + " is supported only when the declared properties cannot exceed it");
        }
    }

    /** llama.cpp's object layout: required in order, then optional ones in order, then additional ones. */
    private String objectRule(Map<String, JsonNode> properties, Set<String> required, String name, JsonNode extra, String path) {
        List<String> requiredProps = new ArrayList<>();
        List<String> optionalProps = new ArrayList<>();
        Map<String, String> kv = new LinkedHashMap<>();
        String prefix = name.isEmpty() ? "" : name + "-";
        for (var e : properties.entrySet()) {
            String prop = e.getKey();
            String propRule = visit(e.getValue(), prefix + prop, path + "/properties/" + escapePointer(prop));
            kv.put(prop, builder.addRule(prefix + prop + "-kv",
                    Expr.seq(Expr.literal(dump(JSON.getNodeFactory().textNode(prop))), Expr.ref("space"), Expr.literal(":"),
                            Expr.ref("space"), Expr.ref(propRule))));
            (required.contains(prop) ? requiredProps : optionalProps).add(prop);
        }
        if (extra != null) {
            String sub = prefix + "additional";
            String valueRule = extra.isObject() && extra.isEmpty() ? primitive("value") : visit(extra, sub + "-value", path + "/additionalProperties");
            String keyRule = properties.isEmpty() ? primitive("string") : addRule(sub + "-k", notStrings(properties.keySet()));
            kv.put("*", addRule(sub + "-kv", keyRule + " \":\" space " + valueRule));
            optionalProps.add("*");
        }
        if (requiredProps.isEmpty() && optionalProps.isEmpty()) {
            return "\"{\" space \"}\"";
        }
        StringBuilder rule = new StringBuilder("\"{\" space ");
        for (int i = 0; i < requiredProps.size(); i++) {
            if (i > 0) {
                rule.append(" \",\" space ");
            }
            rule.append(kv.get(requiredProps.get(i)));
        }
        if (!optionalProps.isEmpty()) {
            rule.append(" (");
            if (!requiredProps.isEmpty()) {
                rule.append(" \",\" space ( ");
            }
            for (int i = 0; i < optionalProps.size(); i++) {
                if (i > 0) {
                    rule.append(" | ");
                }
                rule.append(optionalChain(optionalProps.subList(i, optionalProps.size()), false, kv, prefix));
            }
            if (!requiredProps.isEmpty()) {
                rule.append(" )");
            }
            rule.append(" )?");
        }
        rule.append(" space \"}\"");
        return rule.toString();
    }

    private String optionalChain(List<String> ks, boolean firstIsOptional, Map<String, String> kv, String prefix) {
        if (ks.isEmpty()) {
            return "";
        }
        String k = ks.getFirst();
        String kvRule = kv.get(k);
        String commaRef = "( \",\" space " + kvRule + " )";
        String res = firstIsOptional ? commaRef + (k.equals("*") ? "*" : "?") : kvRule + (k.equals("*") ? " " + commaRef + "*" : "");
        if (ks.size() > 1) {
            res += " " + addRule(prefix + k + "-rest", optionalChain(ks.subList(1, ks.size()), true, kv, prefix));
        }
        return res;
    }

    /**
     * A JSON string that is none of {@code strings}: a trie of them, each branch continuing with a
     * character that leaves it. Unlike llama.cpp's, the characters are unescaped ones only, so an
     * escape cannot spell a declared name (backslash-u0061 is {@code "a"}).
     */
    private String notStrings(Set<String> strings) {
        Trie root = new Trie();
        for (String s : strings) {
            Trie t = root;
            for (int cp : s.codePoints().toArray()) {
                t = t.children.computeIfAbsent(cp, k -> new Trie());
            }
            t.end = true;
        }
        String ch = "[^\"\\\\\\x7F\\x00-\\x1F]";
        StringBuilder out = new StringBuilder("[\"] ( ");
        notStrings(root, out, ch);
        out.append(" )");
        if (!root.end) {
            out.append('?');
        }
        out.append(" [\"]");
        return out.toString();
    }

    private static final class Trie {
        final Map<Integer, Trie> children = new java.util.TreeMap<>();
        boolean end;
    }

    private static void notStrings(Trie node, StringBuilder out, String ch) {
        StringBuilder rejects = new StringBuilder();
        boolean first = true;
        for (var e : node.children.entrySet()) {
            String c = classChar(e.getKey());
            rejects.append(c);
            if (!first) {
                out.append(" | ");
            }
            first = false;
            out.append('[').append(c).append(']');
            if (!e.getValue().children.isEmpty()) {
                out.append(" (");
                notStrings(e.getValue(), out, ch);
                out.append(')');
            } else {
                out.append(' ').append(ch).append('+');
            }
        }
        if (!node.children.isEmpty()) {
            out.append(" | [^\"\\\\\\x7F\\x00-\\x1F").append(rejects).append("] ").append(ch).append('*');
        }
    }

    private static String classChar(int cp) {
        if (cp < 0x20 || cp == 0x7F || cp == ']' || cp == '\\' || cp == '-' || cp == '^' || cp == '"') {
            return String.format("\\x%02X", cp);
        }
        return Character.toString(cp);
    }

    // ---- allOf ----

    /**
     * allOf as llama.cpp merges it, where the merge is sound: one subschema stands for itself; objects
     * merge their properties (all of them required, those of an anyOf inside optional) when no
     * subschema forbids others and no property appears twice; enums intersect.
     */
    private String allOf(JsonNode schema, String name, String ruleName, String path) {
        List<JsonNode> parts = array(schema, "allOf", path);
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("allOf") && !k.equals("type") && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("allOf beside \"" + k + "\" at " + path + " is not supported; move it into the allOf");
            }
        }
        if (parts.size() == 1 && !resolve(parts.getFirst(), path).has("anyOf")) {
            return addRule(ruleName, visit(parts.getFirst(), name.isEmpty() ? "allOf-0" : name + "-0", path + "/allOf/0"));
        }
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        Set<String> required = new LinkedHashSet<>();
        Map<String, Integer> enumCounts = new LinkedHashMap<>();
        int enums = 0;
        int objects = 0;
        for (int i = 0; i < parts.size(); i++) {
            JsonNode part = resolve(parts.get(i), path + "/allOf/" + i);
            if (part.has("anyOf")) {
                for (JsonNode alt : part.get("anyOf")) {
                    JsonNode a = resolve(alt, path + "/allOf/" + i + "/anyOf");
                    if (a.has("required") && !a.get("required").isEmpty()) {
                        throw new GrammarException("allOf at " + path + ": an anyOf alternative with required properties is not supported");
                    }
                    mergeObject(a, false, properties, required, path + "/allOf/" + i);
                }
                objects++;
            } else if (part.has("enum")) {
                enums++;
                Set<String> seen = new HashSet<>();
                for (JsonNode v : part.get("enum")) {
                    if (seen.add(dump(v))) {
                        enumCounts.merge(dump(v), 1, Integer::sum);
                    }
                }
            } else {
                mergeObject(part, true, properties, required, path + "/allOf/" + i);
                objects++;
            }
        }
        if (enums > 0) {
            if (objects > 0) {
                throw new GrammarException("allOf at " + path + " mixes enums and objects, which is not supported");
            }
            List<Expr> common = new ArrayList<>();
            for (var e : enumCounts.entrySet()) {
                if (e.getValue() == parts.size()) {
                    common.add(Expr.literal(e.getKey()));
                }
            }
            if (common.isEmpty()) {
                throw new GrammarException("the enums of allOf at " + path + " have no value in common: no value validates");
            }
            return builder.addRule(ruleName, Expr.alt(common));
        }
        return addRule(ruleName, objectRule(properties, required, name, null, path));
    }

    private void mergeObject(JsonNode part, boolean isRequired, Map<String, JsonNode> properties, Set<String> required, String path) {
        for (Iterator<String> it = part.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("properties") && !k.equals("required") && !k.equals("type") && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("allOf at " + path + ": a subschema with \"" + k + "\" cannot be merged; supported are objects "
                        + "with properties and required");
            }
        }
        if (part.has("type") && !part.get("type").asText().equals("object")) {
            throw new GrammarException("allOf at " + path + ": only object subschemas can be merged");
        }
        for (var e : part.path("properties").properties()) {
            if (properties.containsKey(e.getKey())) {
                throw new GrammarException("allOf at " + path + ": property '" + e.getKey() + "' appears in two subschemas, which is not supported");
            }
            properties.put(e.getKey(), e.getValue());
            if (isRequired) {
                required.add(e.getKey());
            }
        }
    }

    // ---- arrays ----

    private String array(JsonNode schema, String name, String ruleName, String subName, String path) {
        int minItems = count(schema, "minItems", 0, path);
        int maxItems = count(schema, "maxItems", -1, path);
        if (schema.path("uniqueItems").asBoolean(false) && (maxItems < 0 || maxItems > 1)) {
            throw new GrammarException("\"uniqueItems\": true at " + path + " is not supported (a grammar cannot compare items); "
                    + "remove it or set maxItems to 1");
        }
        if (maxItems >= 0 && maxItems < minItems) {
            throw new GrammarException("minItems " + minItems + " exceeds maxItems " + maxItems + " at " + path + ": no array validates");
        }
        JsonNode tuple = schema.has("prefixItems") && schema.get("prefixItems").isArray() ? schema.get("prefixItems")
                : schema.has("items") && schema.get("items").isArray() ? schema.get("items") : null;
        if (tuple != null) {
            String key = schema.has("prefixItems") && schema.get("prefixItems").isArray() ? "prefixItems" : "items";
            if (minItems > tuple.size() || (maxItems >= 0 && maxItems < tuple.size())) {
                throw new GrammarException("minItems/maxItems at " + path + " together with a " + tuple.size()
                        + "-item tuple are supported only when the tuple's length lies between them");
            }
            StringBuilder rule = new StringBuilder("\"[\" space ");
            for (int i = 0; i < tuple.size(); i++) {
                if (i > 0) {
                    rule.append(" \",\" space ");
                }
                rule.append(visit(tuple.get(i), subName + "tuple-" + i, path + "/" + key + "/" + i));
            }
            rule.append(" space \"]\"");
            return addRule(ruleName, rule.toString());
        }
        JsonNode items = schema.has("items") ? schema.get("items") : schema.get("prefixItems");
        if (items == null || (items.isObject() && items.isEmpty()) || (items.isBoolean() && items.booleanValue())) {
            if (minItems == 0 && maxItems < 0) {
                return withPrimitive(ruleName, "array");
            }
            items = JSON.getNodeFactory().objectNode();
        }
        if (items.isBoolean()) { // items: false
            if (minItems > 0) {
                throw new GrammarException("\"items\": false with minItems > 0 at " + path + ": no array validates");
            }
            return addRule(ruleName, "\"[\" space \"]\"");
        }
        String itemRule = visit(items, subName + "item", path + "/items");
        return addRule(ruleName, "\"[\" space " + repetition(itemRule, minItems, maxItems < 0 ? Integer.MAX_VALUE : maxItems, "\",\" space")
                + " space \"]\"");
    }

    static String repetition(String item, int min, int max, String separator) {
        boolean hasMax = max != Integer.MAX_VALUE;
        if (max == 0) {
            return "";
        }
        if (min == 0 && max == 1) {
            return item + "?";
        }
        if (separator.isEmpty()) {
            if (min == 1 && !hasMax) {
                return item + "+";
            }
            if (min == 0 && !hasMax) {
                return item + "*";
            }
            return item + "{" + min + "," + (hasMax ? Integer.toString(max) : "") + "}";
        }
        String result = item + " " + repetition("(" + separator + " " + item + ")", min == 0 ? 0 : min - 1, hasMax ? max - 1 : max, "");
        return min == 0 ? "(" + result + ")?" : result;
    }

    // ---- strings ----

    private String string(JsonNode schema, String ruleName, String path) {
        int minLength = count(schema, "minLength", 0, path);
        int maxLength = count(schema, "maxLength", -1, path);
        if (maxLength >= 0 && maxLength < minLength) {
            throw new GrammarException("minLength " + minLength + " exceeds maxLength " + maxLength + " at " + path + ": no string validates");
        }
        boolean lengths = schema.has("minLength") || schema.has("maxLength");
        if (schema.has("pattern")) {
            if (!schema.get("pattern").isTextual()) {
                throw new GrammarException("\"pattern\" at " + path + " must be a string");
            }
            if (lengths || schema.has("format")) {
                throw new GrammarException("\"pattern\" together with " + (lengths ? "minLength/maxLength" : "\"format\"") + " at " + path
                        + " is not supported; express the length in the pattern");
            }
            Expr content = RegexToGrammar.translate(schema.get("pattern").asText(), path + "/pattern");
            return builder.addRule(ruleName, Expr.seq(Expr.literal("\""), content, Expr.literal("\"")));
        }
        if (schema.has("format")) {
            String format = schema.get("format").asText();
            if (lengths) {
                throw new GrammarException("\"format\" together with minLength/maxLength at " + path + " is not supported");
            }
            return switch (format) {
                case "uuid" -> withPrimitive(ruleName, "uuid");
                case "date", "time", "date-time", "email", "ipv4" -> addRule(ruleName, addPrimitive(format + "-string", FORMATS.get(format + "-string")));
                default -> throw new GrammarException("\"format\": \"" + format + "\" at " + path
                        + " is not supported (supported: date, time, date-time, uuid, email, ipv4)");
            };
        }
        if (minLength > 0 || maxLength >= 0) {
            if (minLength > Gbnf.MAX_REPETITION || maxLength > Gbnf.MAX_REPETITION) {
                throw new GrammarException("minLength/maxLength above " + Gbnf.MAX_REPETITION + " at " + path + " is not supported");
            }
            String ch = primitive("char");
            return addRule(ruleName, "\"\\\"\" " + repetition(ch, minLength, maxLength < 0 ? Integer.MAX_VALUE : maxLength, "") + " \"\\\"\"");
        }
        return withPrimitive(ruleName, "string");
    }

    // ---- numbers ----

    private String integer(JsonNode schema, String ruleName, String path) {
        checkMultipleOf(schema, true, path);
        BigDecimal[] lo = bound(schema, "minimum", "exclusiveMinimum", true, path);
        BigDecimal[] hi = bound(schema, "maximum", "exclusiveMaximum", false, path);
        if (lo == null && hi == null) {
            return withPrimitive(ruleName, "integer");
        }
        long min = NumberRanges.NONE_MIN;
        long max = NumberRanges.NONE_MAX;
        try {
            if (lo != null) {
                BigDecimal v = lo[1] != null ? lo[0].setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE) : lo[0].setScale(0, RoundingMode.CEILING);
                min = v.longValueExact();
            }
            if (hi != null) {
                BigDecimal v = hi[1] != null ? hi[0].setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE) : hi[0].setScale(0, RoundingMode.FLOOR);
                max = v.longValueExact();
            }
        } catch (ArithmeticException e) {
            throw new GrammarException("integer bounds at " + path + " must fit in 64 bits");
        }
        if (min != NumberRanges.NONE_MIN && max != NumberRanges.NONE_MAX && min > max) {
            throw new GrammarException("no integer lies between the bounds at " + path);
        }
        if (min == Long.MIN_VALUE + 1 || max == Long.MAX_VALUE - 1 || min == Long.MAX_VALUE || max == Long.MIN_VALUE) {
            throw new GrammarException("integer bounds at " + path + " are too large");
        }
        return addRule(ruleName, "(" + NumberRanges.integer(min, max) + ")");
    }

    private String number(JsonNode schema, String ruleName, String path) {
        checkMultipleOf(schema, false, path);
        BigDecimal[] lo = bound(schema, "minimum", "exclusiveMinimum", true, path);
        BigDecimal[] hi = bound(schema, "maximum", "exclusiveMaximum", false, path);
        if (lo == null && hi == null) {
            return withPrimitive(ruleName, "number");
        }
        String body;
        try {
            body = NumberRanges.decimal(lo == null ? null : lo[0], lo != null && lo[1] != null, hi == null ? null : hi[0], hi != null && hi[1] != null);
        } catch (ArithmeticException e) {
            throw new GrammarException("number bounds at " + path + " must lie within 64-bit integers");
        }
        if (body == null) {
            throw new GrammarException("no number lies between the bounds at " + path);
        }
        return addRule(ruleName, "(" + body + ")");
    }

    /**
     * The tighter of an inclusive and an exclusive bound: {value, non-null if exclusive}, or null if
     * neither is given. Draft-4's boolean exclusiveMinimum/Maximum modifies minimum/maximum.
     */
    private static BigDecimal[] bound(JsonNode schema, String inclusive, String exclusive, boolean lower, String path) {
        BigDecimal[] best = null;
        JsonNode ex = schema.get(exclusive);
        boolean draft4 = ex != null && ex.isBoolean();
        if (schema.has(inclusive)) {
            best = new BigDecimal[] {decimal(schema.get(inclusive), inclusive, path), draft4 && ex.booleanValue() ? BigDecimal.ONE : null};
        }
        if (ex != null && !draft4) {
            BigDecimal v = decimal(ex, exclusive, path);
            int c = best == null ? 0 : v.compareTo(best[0]);
            if (best == null || (lower ? c >= 0 : c <= 0)) {
                best = new BigDecimal[] {v, BigDecimal.ONE};
            }
        }
        return best;
    }

    private static BigDecimal decimal(JsonNode v, String key, String path) {
        if (!v.isNumber()) {
            throw new GrammarException("\"" + key + "\" at " + path + " must be a number, got " + v);
        }
        return v.decimalValue();
    }

    private static void checkMultipleOf(JsonNode schema, boolean integer, String path) {
        if (schema.has("multipleOf")) {
            JsonNode m = schema.get("multipleOf");
            if (!(integer && m.isNumber() && m.decimalValue().compareTo(BigDecimal.ONE) == 0)) {
                throw new GrammarException("\"multipleOf\" at " + path + " is not supported");
            }
        }
    }

    // ---- $ref ----

    private String resolveRef(JsonNode ref, String path) {
        if (!ref.isTextual()) {
            throw new GrammarException("\"$ref\" at " + path + " must be a string");
        }
        String r = ref.asText();
        String fragment = r.startsWith("#") ? r.substring(1) : null;
        if (fragment == null) {
            throw new GrammarException("\"$ref\": \"" + r + "\" at " + path + " is not supported: only references within the schema (#/...) are");
        }
        String known = refRules.get(r);
        if (known != null) {
            return known; // resolved before, or being resolved (a recursive reference)
        }
        String base = (refPrefix.isEmpty() ? "" : refPrefix + "-") + "ref" + fragment.replaceAll("[^a-zA-Z0-9-]+", "-");
        String name = base;
        for (int i = 0; builder.hasRule(name); i++) {
            name = base + i; // another document's reference of the same path
        }
        refRules.put(r, name);
        JsonNode target = pointer(fragment, r, path);
        String actual = visit(target, name, r);
        refRules.put(r, actual);
        return actual;
    }

    private JsonNode pointer(String fragment, String ref, String path) {
        String decoded = URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
        JsonNode target;
        try {
            target = decoded.isEmpty() ? document : document.at(decoded);
        } catch (IllegalArgumentException e) {
            throw new GrammarException("\"$ref\": \"" + ref + "\" at " + path + " is not a JSON pointer: " + e.getMessage());
        }
        if (target == null || target.isMissingNode()) {
            throw new GrammarException("\"$ref\": \"" + ref + "\" at " + path + " points to nothing in the schema");
        }
        return target;
    }

    /** The schema behind a chain of $refs. */
    private JsonNode resolve(JsonNode schema, String path) {
        Set<String> seen = new HashSet<>();
        while (schema.isObject() && schema.has("$ref")) {
            String r = schema.get("$ref").asText();
            if (!r.startsWith("#") || !seen.add(r)) {
                throw new GrammarException("\"$ref\": \"" + r + "\" at " + path + " cannot be resolved here");
            }
            schema = pointer(r.substring(1), r, path);
        }
        return schema;
    }

    // ---- checks ----

    private static void checkKeywords(JsonNode schema, String path) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("unsupported JSON schema keyword \"" + k + "\" at " + path
                        + "; supported: " + new java.util.TreeSet<>(SUPPORTED) + " and annotations");
            }
        }
        JsonNode unique = schema.get("uniqueItems");
        if (unique != null && !unique.isBoolean()) {
            throw new GrammarException("\"uniqueItems\" at " + path + " must be a boolean");
        }
    }

    private static void onlyAnnotationsBeside(JsonNode schema, String key, String path) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(key) && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("\"" + k + "\" beside \"" + key + "\" at " + path + " is not supported; move it into the referenced schema");
            }
        }
    }

    private static void onlyTypeBeside(JsonNode schema, String key, String path) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(key) && !k.equals("type") && !k.equals("nullable") && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("\"" + k + "\" beside \"" + key + "\" at " + path + " is not supported; list only the allowed values");
            }
        }
    }

    /** Beside anyOf/oneOf only "type" may stand, and only if every alternative keeps to it. */
    private void checkUnionSiblings(JsonNode schema, String key, List<JsonNode> alts, String path) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(key) && !k.equals("type") && !ANNOTATIONS.contains(k) && !k.startsWith("x-")) {
                throw new GrammarException("\"" + k + "\" beside \"" + key + "\" at " + path + " is not supported; move it into each alternative");
            }
        }
        if (schema.has("type")) {
            Set<String> allowed = new HashSet<>();
            JsonNode t = schema.get("type");
            for (JsonNode x : t.isArray() ? t : JSON.createArrayNode().add(t)) {
                allowed.add(x.asText());
            }
            if (allowed.contains("number")) {
                allowed.add("integer");
            }
            for (int i = 0; i < alts.size(); i++) {
                Set<String> kinds = kinds(resolve(alts.get(i), path), path);
                if (!allowed.containsAll(kinds)) {
                    throw new GrammarException(key + " alternative " + i + " at " + path + " may produce " + kinds + " but \"type\" beside it allows "
                            + allowed + "; give the alternative a \"type\"");
                }
            }
        }
    }

    /** The JSON types the grammar of a (resolved) schema can produce. */
    private Set<String> kinds(JsonNode s, String path) {
        Set<String> all = new LinkedHashSet<>(List.of("object", "array", "string", "integer", "number", "boolean", "null"));
        if (!s.isObject()) {
            return all;
        }
        Set<String> fixed = listed(s, JsonSchemaCompiler::typeOf);
        if (fixed != null) {
            return fixed;
        }
        if (s.has("anyOf") || s.has("oneOf")) {
            Set<String> k = new LinkedHashSet<>();
            for (JsonNode a : s.has("anyOf") ? s.get("anyOf") : s.get("oneOf")) {
                k.addAll(kinds(resolve(a, path), path));
            }
            return k;
        }
        JsonNode t = s.get("type");
        if (t != null) {
            Set<String> k = new LinkedHashSet<>();
            for (JsonNode x : t.isArray() ? t : JSON.createArrayNode().add(t)) {
                k.add(x.asText());
                if (x.asText().equals("number")) {
                    k.add("integer");
                }
            }
            if (s.path("nullable").asBoolean(false)) {
                k.add("null");
            }
            return k;
        }
        if (s.has("properties") || s.has("additionalProperties") || s.has("allOf")) {
            return Set.of("object");
        }
        if (s.has("items") || s.has("prefixItems")) {
            return Set.of("array");
        }
        if (s.has("pattern") || s.has("format") || s.has("minLength") || s.has("maxLength")) {
            return Set.of("string");
        }
        return all;
    }

    /** oneOf is sound only if no value matches two alternatives: checked conservatively. */
    private void checkDisjoint(List<JsonNode> alts, String path) {
        for (int i = 0; i < alts.size(); i++) {
            for (int j = i + 1; j < alts.size(); j++) {
                if (!disjoint(resolve(alts.get(i), path), resolve(alts.get(j), path), path, 0)) {
                    throw new GrammarException("oneOf alternatives " + i + " and " + j + " at " + path + " may both match one value, which oneOf "
                            + "forbids, and this compiler cannot tell them apart; use anyOf, or make them distinguishable (different types, "
                            + "or a required property with different const/enum values)");
                }
            }
        }
    }

    private boolean disjoint(JsonNode a, JsonNode b, String path, int depth) {
        if (depth > 8) {
            return false;
        }
        Set<String> ka = kinds(a, path);
        Set<String> kb = kinds(b, path);
        Set<String> common = new HashSet<>(ka);
        common.retainAll(kb);
        if (common.isEmpty()) {
            return true;
        }
        Set<String> va = values(a);
        Set<String> vb = values(b);
        if (va != null && vb != null) {
            Set<String> both = new HashSet<>(va);
            both.retainAll(vb);
            return both.isEmpty();
        }
        if (common.equals(Set.of("object"))) {
            for (Iterator<String> it = requiredNames(a).iterator(); it.hasNext(); ) {
                String p = it.next();
                if (forbids(b, p)) {
                    return true;
                }
                JsonNode pb = b.path("properties").get(p);
                if (requiredNames(b).contains(p) && pb != null
                        && disjoint(resolve(a.path("properties").get(p), path), resolve(pb, path), path, depth + 1)) {
                    return true;
                }
            }
            for (String p : requiredNames(b)) {
                if (forbids(a, p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The JSON texts a schema's {@code const} or {@code enum} allows, or null when it has neither. */
    private static Set<String> values(JsonNode s) {
        return listed(s, JsonSchemaCompiler::dump);
    }

    /** {@code each} of the schema's {@code const} value or {@code enum} values, in order; null when it has neither. */
    private static Set<String> listed(JsonNode s, Function<JsonNode, String> each) {
        if (s.has("const")) {
            return Set.of(each.apply(s.get("const")));
        }
        if (s.has("enum")) {
            Set<String> out = new LinkedHashSet<>();
            s.get("enum").forEach(v -> out.add(each.apply(v)));
            return out;
        }
        return null;
    }

    private static Set<String> requiredNames(JsonNode s) {
        Set<String> r = new LinkedHashSet<>();
        s.path("required").forEach(x -> r.add(x.asText()));
        r.removeIf(p -> !s.path("properties").has(p));
        return r;
    }

    /** Whether an object schema lets no object have property p (as this compiler generates it). */
    private static boolean forbids(JsonNode s, String p) {
        if (s.path("properties").has(p)) {
            return false;
        }
        JsonNode add = s.get("additionalProperties");
        return add == null ? s.has("properties") : add.isBoolean() && !add.booleanValue();
    }

    private static List<JsonNode> array(JsonNode schema, String key, String path) {
        JsonNode v = schema.get(key);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new GrammarException("\"" + key + "\" at " + path + " must be a non-empty array");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    private static int count(JsonNode schema, String key, int absent, String path) {
        JsonNode v = schema.get(key);
        if (v == null) {
            return absent;
        }
        if (!v.canConvertToExactIntegral() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE / 2) {
            throw new GrammarException("\"" + key + "\" at " + path + " must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> v.isNumber();
            case "string" -> v.isTextual();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "array" -> v.isArray();
            case "object" -> v.isObject();
            default -> false;
        };
    }

    private static String typeOf(JsonNode v) {
        return v.isIntegralNumber() ? "integer" : v.isNumber() ? "number" : v.isTextual() ? "string" : v.isBoolean() ? "boolean"
                : v.isNull() ? "null" : v.isArray() ? "array" : "object";
    }

    static String dump(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String escapePointer(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }
}
