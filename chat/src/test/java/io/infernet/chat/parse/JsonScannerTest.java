package io.infernet.chat.parse;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The incremental JSON checker agrees with the JSON grammar and writes compactly. */
class JsonScannerTest {

    @Test
    void writesValidJsonCompactly() {
        assertEquals("{\"a\":[1,-2.5e+3,true,false,null,\"x y\\n\\u00e9\"],\"b\":{}}",
                ArgumentValues.compactJson("{ \"a\" : [ 1 , -2.5e+3 , true , false , null , \"x y\\n\\u00e9\" ] ,\n \"b\" : { } }"));
        assertEquals("0", ArgumentValues.compactJson("0"));
        assertEquals("-0.5", ArgumentValues.compactJson("-0.5"));
        assertEquals("[]", ArgumentValues.compactJson("[ ]"));
        assertEquals("\"\"", ArgumentValues.compactJson("\"\""));
    }

    @Test
    void rejectsWhatIsNotJson() {
        for (String bad : new String[] {"01", "1.", "-", ".5", "1e", "tru", "nul", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "{a:1}",
                "\"\\x\"", "\"\\u12g4\"", "\"a\nb\"", "{\"a\":1}}", "[1 2]", "'a'", "", "{", "\"open"}) {
            assertNull(ArgumentValues.compactJson(bad), bad);
        }
    }

    @Test
    void aTopLevelNumberEndsAtTheFirstOtherCharacter() {
        JsonScanner s = new JsonScanner();
        assertEquals(JsonScanner.Result.MORE, s.accept('4'));
        assertEquals(JsonScanner.Result.MORE, s.accept('2'));
        assertEquals(JsonScanner.Result.DONE_REJECT, s.accept(' '));
        assertEquals("42", s.text());
        JsonScanner t = new JsonScanner();
        t.accept('4');
        assertEquals(true, t.completeAtEnd());
    }

    @Test
    void drainGivesEachPieceOnce() {
        JsonScanner s = new JsonScanner();
        for (char c : "{\"a\": ".toCharArray()) {
            s.accept(c);
        }
        assertEquals("{\"a\":", s.drain());
        assertEquals("", s.drain());
        s.accept('1');
        assertEquals(JsonScanner.Result.DONE, s.accept('}'));
        assertEquals("1}", s.drain());
        assertEquals(true, s.isObject());
    }

    @Test
    void taggedValuesAreTypedByKind() {
        assertEquals("\"42\"", ArgumentValues.toJson("42", ArgumentValues.Kind.STRING));
        assertEquals("42", ArgumentValues.toJson(" 42 ", ArgumentValues.Kind.JSON));
        assertEquals("42", ArgumentValues.toJson("42", ArgumentValues.Kind.AUTO));
        assertEquals("\"Paris\"", ArgumentValues.toJson("Paris", ArgumentValues.Kind.AUTO));
        assertEquals("\"not json\"", ArgumentValues.toJson("not json", ArgumentValues.Kind.JSON));
        assertEquals("true", ArgumentValues.toJson("True", ArgumentValues.Kind.AUTO));
        assertEquals("null", ArgumentValues.toJson("None", ArgumentValues.Kind.JSON));
        assertEquals("{\"a\":[1]}", ArgumentValues.toJson("{\"a\": [1]}", ArgumentValues.Kind.AUTO));
    }
}
