package io.infernet.chat.template.jinja;

import static io.infernet.chat.template.jinja.Render.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.chat.template.TemplateException;
import io.infernet.chat.template.TemplateException.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Errors name their kind, cause and place; hostile templates stop at the bounds instead of taking the process down. */
class ErrorsTest {

    /** Bounds small enough that hitting them is quick; the defaults work the same way, 25 to 100 times further. */
    private static final Limits SMALL = new Limits(200_000, 400, 1 << 20, 10_000);

    private static TemplateException fails(String template) {
        return assertThrows(TemplateException.class, () -> render(template));
    }

    private static TemplateException fails(String template, Limits limits) {
        return assertThrows(TemplateException.class, () -> render(template, "{}", limits));
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        TemplateException e = fails("line one\n{% if x %}\n{{ a b }}\n{% endif %}");
        assertEquals(Kind.SYNTAX, e.kind());
        assertEquals(3, e.line());
        assertEquals(6, e.column());
        assertTrue(e.getMessage().contains("line 3, column 6"), e.getMessage());

        assertEquals(Kind.SYNTAX, fails("{% if x %}never closed").kind());
        assertTrue(fails("{% if x %}never closed").reason().contains("endif"), "names what is missing");
        assertEquals(Kind.SYNTAX, fails("{% frobnicate %}").kind());
        assertEquals(Kind.SYNTAX, fails("{{ 'unterminated }}").kind());
        assertEquals(Kind.SYNTAX, fails("{{ '\\q' }}").kind());
        assertEquals(Kind.SYNTAX, fails("{# no end").kind());
        assertEquals(Kind.SYNTAX, fails("{{ x ! y }}").kind());
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessageAndPlace() {
        TemplateException e = fails("{% for m in [1, 2] %}\n  {{- raise_exception('Roles must alternate') }}{% endfor %}");
        assertEquals(Kind.RAISED, e.kind());
        assertEquals("Roles must alternate", e.reason());
        assertEquals(2, e.line());
        assertEquals(22, e.column(), "at the call's parenthesis, as llama.cpp reports it");
    }

    @Test
    void renderErrorsAreTheTemplates() {
        assertEquals(Kind.RENDER, fails("{{ 'a' < 'b' }}").kind(), "llama.cpp does not order strings");
        assertEquals(Kind.RENDER, fails("{{ 1 + missing }}").kind());
        assertEquals(Kind.RENDER, fails("{{ [1]|nosuchfilter }}").kind());
        assertEquals(Kind.RENDER, fails("{{ 1 is nosuchtest }}").kind());
        assertEquals(Kind.RENDER, fails("{{ {'a': 1}|default('x') }}").kind(), "dicts have no default filter there either");
        assertEquals(Kind.RENDER, fails("{{ [1, 2]|unique }}").kind(), "not implemented there either");
        assertEquals(Kind.RENDER, fails("{% break %}").kind());
        TemplateException e = fails("ok\n{{ x.y.z() }}");
        assertEquals(2, e.line());
    }

    @Test
    void noWayFromATemplateToJavaObjects() {
        assertEquals("||||", render("{{ ''.__class__ }}|{{ [].getClass }}|{{ {}.__dict__ }}|{{ x.__globals__ }}|{{ 1.real }}"));
        assertEquals(Kind.RENDER, fails("{{ tojson.__globals__ }}").kind(), "functions have no attributes at all");
    }

    @Test
    void stepBoundStopsRunawayLoops() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> fails("{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
                        SMALL));
        assertEquals(Kind.LIMIT, e.kind());
    }

    @Test
    void sizeBoundsStopExponentialStrings() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> fails("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
                        SMALL));
        assertEquals(Kind.LIMIT, e.kind());
        assertEquals(Kind.LIMIT, fails("{{ 'x' * 2000000000 }}").kind());
        assertEquals(Kind.LIMIT, fails("{{ range(100000000)|length }}").kind());
        assertEquals(Kind.LIMIT, fails("{% for i in range(100) %}{{ 'y' * 100 }}{% endfor %}", new Limits(1_000_000, 100, 5_000, 1_000)).kind());
    }

    @Test
    void bigValuesCostTheirSize() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> fails("{% for i in range(10000) %}{% set x = range(10000)|list|reverse|join(',') %}{% endfor %}", SMALL));
        assertEquals(Kind.LIMIT, e.kind());
    }

    @Test
    void cyclicValuesStopInsteadOfOverflowing() {
        assertEquals(Kind.LIMIT, fails("{% set a = [] %}{% set _ = a.append(a) %}{{ a|tojson }}").kind());
        assertEquals(Kind.LIMIT, fails("{% set a = [] %}{% set _ = a.append(a) %}{{ a }}").kind());
    }

    @Test
    void depthBoundStopsRecursion() {
        TemplateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"));
        assertEquals(Kind.LIMIT, e.kind());
        String deep = "(".repeat(5000) + "1" + ")".repeat(5000);
        assertEquals(Kind.SYNTAX, fails("{{ " + deep + " }}").kind());
        String chain = "1" + " + 1".repeat(20_000);
        assertEquals(Kind.LIMIT, fails("{{ " + chain + " }}").kind(), "a long chain parses flat but nests when evaluated");
    }
}
