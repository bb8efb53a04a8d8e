package io.infernet.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GbnfTest {

    @Test
    void parsesAndPrintsCanonically() {
        Grammar g = Gbnf.parse("""
                # a comment
                root ::= "a" ( b | "c" )* [x-z0-9]? .
                b ::= "b"{2,3} [^"\\\\\\x00-\\x1F] |
                      "\\u00e9\\n"
                """);
        assertEquals("""
                b ::= "b"{2,3} [^\\x00-\\x1F"\\\\] | "é\\n"
                root ::= "a" (b | "c")* [0-9x-z]? .
                """, g.toGbnf());
    }

    @Test
    void printedGrammarParsesToTheSameStructure() {
        String text = """
                root ::= ( "{" space (pair ("," space pair)*)? "}" ) | "x"{3} | [\\]\\-^]+ | "\\"q\\\\" | "\\t"?
                pair ::= "\\"" [a-z]{1,8} "\\"" space ":" space ([0-9]+ | "null")
                space ::= | " " | "\\n"{1,2} [ \\t]{0,20}
                """;
        Grammar g = Gbnf.parse(text);
        Grammar again = Gbnf.parse(g.toGbnf());
        assertEquals(g.rules(), again.rules());
    }

    @Test
    void literalsMergeAndSingleCharClassesAreLiterals() {
        assertEquals(Gbnf.parseExpr("\"ab\""), Gbnf.parseExpr("\"a\" [b]"));
        assertEquals(Gbnf.parseExpr("x"), Gbnf.parseExpr("(x)"));
        assertEquals("x?", Gbnf.print(Gbnf.parseExpr("x{0,1}")));
        assertEquals("x+", Gbnf.print(Gbnf.parseExpr("x{1,}")));
        assertEquals("\"ab\"*", Gbnf.print(Gbnf.parseExpr("\"ab\"*")));
    }

    @Test
    void repetitionLimitsFollowLlamaCpp() {
        assertEquals("x{2,}", Gbnf.print(Gbnf.parseExpr("x{2,5000}")));
        var e = assertThrows(GrammarException.class, () -> Gbnf.parseExpr("x{2001}"));
        assertTrue(e.getMessage().contains("2000"), e.getMessage());
    }

    @Test
    void errorsNameTheLineAndWhat() {
        var e = assertThrows(GrammarException.class, () -> Gbnf.parse("root ::= \"a\"\nfoo ::= (\"b\"\n"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("expecting ')'"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> Gbnf.parse("root ::= missing\n"));
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> Gbnf.parse("start ::= \"a\"\n"));
        assertTrue(e.getMessage().contains("root"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> Gbnf.parse("root ::= \"\\q\"\n"));
        assertTrue(e.getMessage().contains("unknown escape"), e.getMessage());
        e = assertThrows(GrammarException.class, () -> Gbnf.parse("root ::= <think>\n"));
        assertTrue(e.getMessage().contains("<[id]>"), e.getMessage());
    }

    @Test
    void tokenReferencesParseButDoNotCompile() {
        Grammar g = Gbnf.parse("root ::= <[12]> !<[13]>*\n");
        assertEquals("root ::= <[12]> !<[13]>*\n", g.toGbnf());
        var e = assertThrows(GrammarException.class, () -> CompiledGrammar.compile(g, TestVocab.standard().vocabulary()));
        assertTrue(e.getMessage().contains("token reference"), e.getMessage());
    }

    @Test
    void parsesEveryGrammarShippedWithTheLlamaCppPin() throws Exception {
        Path dir = Path.of(System.getProperty("user.home"), ".cache/infernet/native/node-llama-cpp-3.22.1/src/grammars");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "no llama.cpp source in the native cache");
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".gbnf")).sorted().toList()) {
                Grammar g = Gbnf.parse(Files.readString(p));
                assertEquals(g.rules(), Gbnf.parse(g.toGbnf()).rules(), p.toString());
                CompiledGrammar.compile(g, TestVocab.standard().vocabulary()).matcher().fillMask(new long[TestVocab.standard().size() / 64 + 1]);
                n++;
            }
        }
        assertTrue(n >= 5, "parsed " + n + " grammars");
    }
}
