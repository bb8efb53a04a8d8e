package io.infernet.chat.template.jinja;

import static io.infernet.chat.template.jinja.Render.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The language as chat templates use it, with the semantics of llama.cpp's engine where they differ from Python's Jinja. */
class TemplateTest {

    @Test
    void valuesPrintAsLlamaCppPrintsThem() {
        assertEquals("5|0.5|2.0|0.0|True|False", render("{{ 5 }}|{{ 0.5 }}|{{ 2.0 }}|{{ 0.0000001 }}|{{ true }}|{{ False }}"));
        assertEquals("", render("{{ none }}{{ missing }}{{ {'a': 1} }}"), "none, undefined and dicts print nothing");
        assertEquals("12ab", render("{{ [1, 2, ['a', 'b']] }}"), "lists print their items");
        assertEquals("[1, 'a', None]|{'k': \"it's\"}", render("{{ [1, 'a', none]|string }}|{{ {'k': 'it\\'s'}|string }}"));
    }

    @Test
    void arithmeticAndComparison() {
        assertEquals("7|2.5|1|-3|3.0|True|True", render("{{ 3 + 4 }}|{{ 5 / 2 }}|{{ 7 % 3 }}|{{ -7 + 4 }}|{{ 1.5 * 2 }}|{{ 2 > 1.5 }}|{{ 1 == 1.0 }}"));
        assertEquals("ab1|a|aaa", render("{{ 'a' ~ 'b' ~ 1 }}|{{ 'a' + none }}|{{ 'a' * 3 }}"));
        assertEquals("[1, 2, 3]", render("{{ ([1] + [2, 3])|string }}"));
    }

    @Test
    void logicShortCircuitsAndReturnsOperands() {
        assertEquals("x|0|y", render("{{ 'x' or boom() }}|{{ 0 and boom() }}|{{ none or 'y' }}"));
        assertEquals("yes", render("{{ 'yes' if 1 in [1, 2] and 'b' in 'abc' and 'k' in {'k': 0} and 3 not in [] else 'no' }}"));
        assertEquals("True|False", render("{{ 'a' not in missing }}|{{ 'a' in missing }}"));
    }

    @Test
    void membersSubscriptsAndSlices() {
        String vars = "{\"m\": {\"role\": \"user\", \"items\": 7}, \"xs\": [1, 2, 3, 4, 5], \"s\": \"hello\"}";
        assertEquals("user|user|7|5|4", render("{{ m.role }}|{{ m['role'] }}|{{ m['items'] }}|{{ xs[-1] }}|{{ xs.3 }}", vars));
        assertEquals("[2, 3]|[5, 4, 3, 2, 1]|[1, 3, 5]|hel|olleh|e", render(
                "{{ xs[1:3]|string }}|{{ xs[::-1]|string }}|{{ xs[::2]|string }}|{{ s[:3] }}|{{ s[::-1] }}|{{ s[1] }}", vars));
        assertEquals("||", render("{{ m.nothing }}|{{ xs[10] }}|{{ s[-1] }}", vars), "missing is undefined; strings take no negative index");
    }

    @Test
    void loopsAndTheLoopObject() {
        String vars = "{\"xs\": [\"a\", \"b\", \"c\"]}";
        assertEquals("1a0F|2b1|3c2L", render(
                "{% for x in xs %}{{ loop.index }}{{ x }}{{ loop.index0 }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}"
                        + "{% if not loop.last %}|{% endif %}{% endfor %}", vars));
        assertEquals("-ba", render("{% for x in xs if x != 'c' %}{{ loop.revindex0 == 0 and x or '' }}{{ loop.previtem or '' }}"
                + "{{ '-' if loop.first }}{% endfor %}", vars));
        assertEquals("ab", render("{% for x in xs %}{% if x == 'c' %}{% break %}{% endif %}{{ x }}{% endfor %}", vars));
        assertEquals("ac", render("{% for x in xs %}{% if x == 'b' %}{% continue %}{% endif %}{{ x }}{% endfor %}", vars));
        assertEquals("empty", render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"));
        assertEquals("k=1;j=2;", render("{% for k, v in {'k': 1, 'j': 2}.items() %}{{ k }}={{ v }};{% endfor %}"));
        assertEquals("kj", render("{% for k in {'k': 1, 'j': 2} %}{{ k }}{% endfor %}"));
        assertEquals("", render("{% for x in missing %}{{ x }}{% endfor %}"));
    }

    /** llama.cpp's quirk: iterations ended by continue do not count, so the else block can run after them. */
    @Test
    void elseRunsWhenEveryIterationContinued() {
        assertEquals("none", render("{% for x in [1, 2] %}{% continue %}{% else %}none{% endfor %}"));
    }

    @Test
    void scopesNamespacesAndSet() {
        assertEquals("1", render("{% set x = 1 %}{% for i in [5] %}{% set x = i %}{% endfor %}{{ x }}"), "a loop's set stays in the loop");
        assertEquals("5", render("{% set ns = namespace(x=1) %}{% for i in [5] %}{% set ns.x = i %}{% endfor %}{{ ns.x }}"));
        assertEquals("2-1", render("{% set a, b = [1, 2] %}{{ b }}-{{ a }}"));
        assertEquals("[hi]", render("{% set block %}hi{% endset %}[{{ block }}]"));
    }

    @Test
    void macrosWithDefaultsAndCaller() {
        assertEquals("<a:1><b:2>", render("{% macro tag(name, v=1) %}<{{ name }}:{{ v }}>{% endmacro %}{{ tag('a') }}{{ tag('b', v=2) }}"));
        assertEquals("[x]", render("{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}x{% endcall %}"));
        assertEquals("outer", render("{% macro show() %}{{ who }}{% endmacro %}{% set who = 'outer' %}{{ show() }}"),
                "a macro sees its caller's variables");
    }

    @Test
    void stringMethods() {
        assertEquals("HI|hi|Hello World|Hello world|x|x  |  x",
                render("{{ 'hi'.upper() }}|{{ 'HI'|lower }}|{{ 'hello world'|title }}|{{ 'hELLO WORLD'|capitalize }}|{{ '  x  '|trim }}|"
                        + "{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}"));
        assertEquals("['a', '', 'b']|['a', 'b c']|['a b', 'c']|xx", render(
                "{{ 'a  b'.split(' ')|string }}|{{ 'a b c'.split(' ', 1)|string }}|{{ 'a b c'.rsplit(' ', 1)|string }}|{{ '--xx--'.strip('-') }}"));
        assertEquals("True|False|a-b|x=1, y=2|4", render(
                "{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith('b') }}|{{ 'a b'.replace(' ', '-') }}|{{ 'x={}, y={}'.format(1, 2) }}|"
                        + "{{ 'bytes'|length - 1 }}"));
        assertEquals("6", render("{{ 'héllo'|length }}"), "length counts UTF-8 bytes, as llama.cpp");
        assertEquals("42|0|7|1.5", render("{{ '42'|int }}|{{ 'x'|int }}|{{ 'x'|int(default=7) }}|{{ '1.5abc'|float }}"));
        assertEquals("a\n  b\n\n  c", render("{{ 'a\\nb\\n\\nc'|indent(2) }}"));
    }

    @Test
    void listAndDictMethods() {
        String vars = "{\"tools\": [{\"name\": \"b\", \"on\": true}, {\"name\": \"a\", \"on\": false}], \"d\": {\"z\": 1, \"a\": 2}}";
        assertEquals("b|a|b,a|2|b", render("{{ tools|selectattr('on')|map(attribute='name')|join }}|"
                + "{{ tools|rejectattr('on')|map(attribute='name')|first }}|{{ tools|map(attribute='name')|join(',') }}|{{ tools|length }}|"
                + "{{ (tools|selectattr('name', 'equalto', 'b')|list)[0].name }}", vars));
        assertEquals("a,b|z,a|1,2|a:2,z:1|2|none|x", render("{{ tools|sort(attribute='name')|map(attribute='name')|join(',') }}|"
                + "{{ d.keys()|join(',') }}|{{ d.values()|join(',') }}|{% for k, v in d|dictsort %}{{ k }}:{{ v }}{{ ',' if not loop.last }}{% endfor %}|"
                + "{{ d.get('a') }}|{{ d.get('q', 'none') }}|{{ d.get('q') is none and 'x' }}", vars));
        assertEquals("[1, 2, 3]|3|[1, 2]|3|1", render("{% set xs = [1, 2] %}{% set _ = xs.append(3) %}{{ xs|string }}|{{ xs.pop() }}|{{ xs|string }}|"
                + "{{ [3, 1, 2]|max }}|{{ [3, 1, 2]|min }}"));
        assertEquals("[3, 2, 1]|[0, 1, 2]|[2, 4]", render("{{ [1, 2, 3]|reverse|list|string }}|{{ range(3)|list|string }}|{{ range(2, 6, 2)|list|string }}"));
    }

    @Test
    void tests() {
        String vars = "{\"s\": \"x\", \"n\": 1, \"f\": 1.5, \"l\": [], \"o\": {}, \"z\": null}";
        assertEquals("TTTTTTTT", render("{{ 'T' if s is string }}{{ 'T' if n is integer and n is number }}{{ 'T' if f is float }}"
                + "{{ 'T' if l is iterable and l is sequence }}{{ 'T' if o is mapping }}{{ 'T' if z is none }}{{ 'T' if q is not defined }}"
                + "{{ 'T' if true is boolean and n is odd and 2 is even and 4 is divisibleby(2) }}", vars));
        assertEquals("TT", render("{{ 'T' if missing is iterable }}{{ 'T' if 'abc' is lower }}"), "undefined is iterable, as there");
        assertEquals("TT", render("{{ 'T' if 3 is gt(2) and 2 is lt(3) }}{{ 'T' if 'b' is in('abc') }}"));
    }

    @Test
    void tojsonWritesPythonStyleJson() {
        String vars = "{\"d\": {\"name\": \"get_weather\", \"x\": 1.5, \"y\": 100000000.0, \"t\": \"°C \\\"q\\\"\", \"l\": [1, null, true]}}";
        assertEquals("{\"name\": \"get_weather\", \"x\": 1.5, \"y\": 1e+08, \"t\": \"°C \\\"q\\\"\", \"l\": [1, null, true]}",
                render("{{ d|tojson }}", vars));
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ]\n}", render("{{ {'a': [1, 2]}|tojson(indent=2) }}"));
        assertEquals("{\"a\":1}", render("{{ {'a': 1}|tojson(separators=(',', ':')) }}"));
        assertEquals("\"\\u00b0C \\ud83d\\ude00\"", render("{{ '°C 😀'|tojson(ensure_ascii=true) }}"));
        assertEquals("[1, \"a\"]", render("{{ tojson([1, 'a']) }}"));
    }

    @Test
    void strftimeNowUsesTheRenderClock() {
        assertEquals("07 Mar 2026|2026-03-07|March 07, 2026|09:05:02|Saturday", render(
                "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%B %d, %Y') }}|{{ strftime_now('%H:%M:%S') }}|"
                        + "{{ strftime_now('%A') }}"));
    }

    @Test
    void defaultFilter() {
        assertEquals("x|y|0|z", render("{{ missing|default('x') }}|{{ none|default('y') }}|{{ 0|default('n') }}|{{ ''|default('z', true) }}"));
    }
}
