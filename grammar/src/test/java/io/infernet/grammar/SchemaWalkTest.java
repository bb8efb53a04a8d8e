package io.infernet.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The soundness property: whatever the model picks among the allowed tokens, the text parses and
 * validates. Random walks choose uniformly among the allowed tokens of a synthetic vocabulary
 * (single bytes, multi-byte characters split across tokens, JSON-ish pieces, junk) with a token
 * budget (so every walk ends), then an independent validator (networknt, draft 2020-12, formats
 * asserted) checks the text. Hand-written valid instances are accepted byte by byte and token by
 * token; invalid ones are refused.
 */
class SchemaWalkTest {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /**
     * Where a schema allows properties beyond the declared ones, a grammar cannot keep their names
     * apart, so a name may repeat (JSON allows it; parsers keep the last): checked without
     * duplicate detection there.
     */
    private static final ObjectMapper LENIENT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TestVocab.Vocab V = TestVocab.standard();

    static Stream<Arguments> schemas() {
        return Stream.of(
                a("openai strict", """
                        {"type":"object","additionalProperties":false,"required":["name","age","score","ok","tags","kind","note","address"],
                         "properties":{
                          "name":{"type":"string","description":"who"},
                          "age":{"type":"integer"},
                          "score":{"type":"number"},
                          "ok":{"type":"boolean"},
                          "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3},
                          "kind":{"type":"string","enum":["a","b","c d"]},
                          "note":{"type":["string","null"]},
                          "address":{"$ref":"#/$defs/address"}},
                         "$defs":{"address":{"type":"object","additionalProperties":false,"required":["city","zip"],
                           "properties":{"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}}}}}
                        """,
                        List.of("{\"name\":\"Al\",\"age\":3,\"score\":1.5,\"ok\":true,\"tags\":[\"x\"],\"kind\":\"c d\",\"note\":null,"
                                + "\"address\":{\"city\":\"Paris\",\"zip\":\"75001\"}}",
                                "{ \"name\" : \"日本\", \"age\": -0, \"score\": 2e5, \"ok\": false, \"tags\": [ \"a\", \"b\" ], \"kind\": \"a\", "
                                + "\"note\": \"é\\n\", \"address\": {\"city\": \"\", \"zip\": \"00000\" } }"),
                        List.of("{\"name\":\"Al\"}", "{\"name\":\"Al\",\"age\":3.5,\"score\":1,\"ok\":true,\"tags\":[\"x\"],\"kind\":\"a\",\"note\":null,"
                                + "\"address\":{\"city\":\"P\",\"zip\":\"7500\"}}", "{\"age\":1,\"name\":\"x\"}")),
                a("recursive tree", """
                        {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","additionalProperties":false,"required":["v"],
                          "properties":{"v":{"type":"integer","minimum":-5,"maximum":300},"kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}}}}}
                        """,
                        List.of("{\"v\":1,\"kids\":[{\"v\":2},{\"v\":300,\"kids\":[]}]}", "{\"v\":-5}"),
                        List.of("{\"v\":301}", "{\"v\":1,\"kids\":[{},{}]}", "{\"v\":-6}")),
                a("oneOf by const", """
                        {"oneOf":[
                          {"type":"object","properties":{"type":{"const":"circle"},"r":{"type":"number","exclusiveMinimum":0}},"required":["type","r"],"additionalProperties":false},
                          {"type":"object","properties":{"type":{"const":"rect"},"w":{"type":"integer","minimum":1},"h":{"type":"integer","minimum":1}},"required":["type","w","h"],"additionalProperties":false},
                          {"type":"null"}]}
                        """,
                        List.of("{\"type\":\"circle\",\"r\":0.5}", "{\"type\":\"rect\",\"w\":1,\"h\":20}", "null"),
                        List.of("{\"type\":\"circle\",\"r\":0}", "{\"type\":\"rect\",\"w\":0,\"h\":1}")),
                a("strings", """
                        {"type":"object","additionalProperties":false,"required":["d","t","dt","u","e","ip","s","p","q"],"properties":{
                          "d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},"dt":{"type":"string","format":"date-time"},
                          "u":{"type":"string","format":"uuid"},"e":{"type":"string","format":"email"},"ip":{"type":"string","format":"ipv4"},
                          "s":{"type":"string","minLength":2,"maxLength":4},
                          "p":{"type":"string","pattern":"^(\\\\([0-9]{1,3}\\\\))?[0-9]{3}-[0-9]{4} a{1,2}nd.$"},
                          "q":{"type":"string","pattern":"[\\"\\\\\\\\]x|^é+$"}}}
                        """,
                        List.of("{\"d\":\"2024-02-28\",\"t\":\"12:00:00Z\",\"dt\":\"2024-01-15T23:59:59.123+05:30\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
                                + "\"e\":\"a.b@example.com\",\"ip\":\"192.168.0.255\",\"s\":\"ab\\u00e9\",\"p\":\"(12)345-6789 and!\",\"q\":\"zz\\\"x\"}"),
                        List.of("{\"d\":\"2024-02-31\",\"t\":\"12:00:00Z\",\"dt\":\"x\",\"u\":\"x\",\"e\":\"x\",\"ip\":\"x\",\"s\":\"ab\",\"p\":\"x\",\"q\":\"éé\"}",
                                "{\"d\":\"2024-02-28\",\"t\":\"12:00:00Z\",\"dt\":\"2024-01-15T23:59:59Z\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
                                + "\"e\":\"a@b.cc\",\"ip\":\"1.2.3.4\",\"s\":\"abcde\",\"p\":\"123-4567 and!\",\"q\":\"é\"}")),
                a("numbers", """
                        {"type":"array","prefixItems":[
                          {"type":"number","minimum":-2.5,"maximum":3.75},
                          {"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
                          {"type":"integer","exclusiveMinimum":-3,"exclusiveMaximum":1000},
                          {"type":"number","minimum":100},
                          {"type":"number","exclusiveMaximum":-0.001}]}
                        """,
                        List.of("[-2.5,0.999,-2,100,-0.0011]", "[3.75, 0.5, 999, 100.5, -1]"),
                        List.of("[3.76,0.5,0,100,-1]", "[0,1,0,100,-1]", "[0,0.5,-3,100,-1]", "[0,0.5,0,99.9,-1]", "[0,0.5,0,100,-0.001]")),
                a("additional properties", """
                        {"type":"object","properties":{"a":{"type":"integer"},"ab":{"type":"boolean"}},"required":["a"],
                         "additionalProperties":{"type":"array","items":{"type":"null"},"maxItems":2}}
                        """,
                        List.of("{\"a\":1,\"x\":[null]}", "{\"a\":1,\"ab\":true,\"abc\":[]}"),
                        List.of("{\"a\":1,\"ab\":[null]}", "{\"a\":1,\"x\":[1]}")),
                a("any json object", "{\"type\":\"object\"}",
                        List.of("{}", "{\"a\":[1,{\"b\":null}],\"c\":\"\\u00e9\"}"),
                        List.of("[]", "{\"a\":}")),
                a("anyOf and consts", """
                        {"anyOf":[{"type":"string","maxLength":2},{"type":"integer","maximum":0},
                          {"const":{"k":[1,"é",null]}},{"enum":[true,"x\\"y"]}]}
                        """,
                        List.of("\"ab\"", "-7", "{\"k\":[1,\"é\",null]}", "true", "\"x\\\"y\""),
                        List.of("\"abc\"", "1", "false")));
    }

    private static Arguments a(String name, String schema, List<String> valid, List<String> invalid) {
        return Arguments.of(name, schema, valid, invalid);
    }

    private static JsonSchema validator(String schema) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config);
    }

    private static void assertValid(JsonSchema validator, String text, String context) {
        JsonNode node;
        try {
            node = (context.startsWith("any json object") || context.startsWith("additional properties") ? LENIENT : STRICT).readTree(text);
        } catch (Exception e) {
            fail(context + ": does not parse: " + e.getMessage() + "\n" + text);
            return;
        }
        Set<ValidationMessage> errors = validator.validate(node);
        assertTrue(errors.isEmpty(), context + ": " + errors + "\n" + text);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void randomWalksAlwaysValidate(String name, String schema, List<String> valid, List<String> invalid) {
        JsonSchema validator = validator(schema);
        CompiledGrammar cg = CompiledGrammar.compile(JsonSchemaCompiler.compile(schema), V.vocabulary());
        int min = cg.matcher().minBytesToComplete();
        SplittableRandom r = new SplittableRandom(name.hashCode());
        int walks = Integer.getInteger("grammar.walks", 150); // more for a longer search: -Dgrammar.walks=5000
        for (int walk = 0; walk < walks; walk++) {
            GrammarMatcher m = cg.matcher();
            List<Integer> tokens = new ArrayList<>();
            int maxTokens = min + r.nextInt(walk % 3 != 2 ? 60 : 400);
            long[] mask = TokenMask.allocate(V.size());
            for (int left = maxTokens; left > 0 && !m.isTerminated(); left--) {
                m.fillMask(mask, left);
                List<Integer> allowed = TestVocab.allowed(mask, V.size());
                assertFalse(allowed.isEmpty(), "no token allowed after " + V.text(tokens));
                int t = allowed.get(r.nextInt(allowed.size()));
                m.accept(t);
                tokens.add(t);
            }
            assertTrue(m.canTerminate(), "not complete within " + maxTokens + " tokens: " + V.text(tokens));
            assertValid(validator, V.text(tokens), name + " walk " + walk);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemas")
    void validInstancesAreAcceptedAndInvalidOnesRefused(String name, String schema, List<String> valid, List<String> invalid) {
        JsonSchema validator = validator(schema);
        CompiledGrammar cg = CompiledGrammar.compile(JsonSchemaCompiler.compile(schema), V.vocabulary());
        for (String text : valid) {
            assertValid(validator, text, "the fixture itself");
            GrammarMatcher bytes = cg.matcher();
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                assertTrue(bytes.acceptBytes(new byte[] {b}), "byte by byte: " + text);
            }
            assertTrue(bytes.canTerminate(), text);
            GrammarMatcher tokens = cg.matcher();
            for (int t : greedyTokens(text)) {
                assertTrue(tokens.tryAccept(t), "token by token: " + text);
            }
            assertTrue(tokens.tryAccept(V.eog()), text);
        }
        for (String text : invalid) {
            assertFalse(isValid(validator, text), "the invalid fixture is invalid: " + text);
            GrammarMatcher m = cg.matcher();
            boolean accepted = m.acceptString(text) && m.canTerminate();
            assertFalse(accepted, "refused: " + text);
        }
    }

    private static boolean isValid(JsonSchema validator, String text) {
        try {
            return validator.validate(STRICT.readTree(text)).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Longest-match tokenization with the synthetic vocabulary (splits multi-byte characters where a piece does). */
    private static List<Integer> greedyTokens(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            int best = -1;
            int bestLen = 0;
            for (int t = 0; t < V.size(); t++) {
                byte[] p = V.pieces()[t];
                if (t != V.eog() && p.length > bestLen && i + p.length <= b.length
                        && java.util.Arrays.equals(p, 0, p.length, b, i, i + p.length)) {
                    best = t;
                    bestLen = p.length;
                }
            }
            out.add(best);
            i += bestLen;
        }
        assertEquals(b.length, out.stream().mapToInt(t -> V.pieces()[t].length).sum());
        return out;
    }
}
