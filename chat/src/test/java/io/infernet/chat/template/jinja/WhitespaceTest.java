package io.infernet.chat.template.jinja;

import static io.infernet.chat.template.jinja.Render.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Whitespace as Hugging Face sets it for chat templates (trim_blocks, lstrip_blocks) and as llama.cpp applies it. */
class WhitespaceTest {

    @Test
    void trimBlocksDropsTheNewlineAfterAStatementButNotAfterAnExpression() {
        assertEquals("1\n2\n3\n", render("{% for i in items %}\n{{ i }}\n{% endfor %}\n", "{\"items\": [1, 2, 3]}"));
        assertEquals("a\nb", render("{{ 'a' }}\nb"));
        assertEquals("b", render("{# note #}\nb"));
    }

    @Test
    void lstripBlocksRemovesIndentationBeforeStatementsOnly() {
        assertEquals("x\n", render("    {% if true %}\nx\n    {% endif %}\n"));
        assertEquals("    x", render("    {{ 'x' }}"));
        assertEquals("xy  b", render("xy  {% if true %}b{% endif %}"), "text before the block on the same line stays");
    }

    @Test
    void dashesTrimAllWhitespaceOnTheirSide() {
        assertEquals("hello", render("  {%- if true -%}  \nhello\n  {%- endif -%}  \n"));
        assertEquals("hello", render("  {{- 'hello' -}}  \n"));
        assertEquals("a|b", render("a \n {{- '|' -}} \n b"));
        assertEquals("ab", render("a\n{#- c -#}\nb"));
    }

    @Test
    void oneFinalNewlineIsDroppedAndLineEndsNormalized() {
        assertEquals("x", render("x\n"));
        assertEquals("x\n", render("x\n\n"));
        assertEquals("a\nb", render("a\r\nb\r\n"));
    }

    /** llama.cpp's quirk: a text run at the very start that reaches a block over whitespace from its second character is dropped whole. */
    @Test
    void leadingTextBeforeABlockOverWhitespaceIsDroppedAsLlamaCppDoes() {
        assertEquals("b", render("a  {% if true %}b{% endif %}"));
        assertEquals("a\nb", render("a\n  {% if true %}b{% endif %}"), "after a newline only the indentation goes");
    }

    @Test
    void generationBlocksRenderTheirContent() {
        assertEquals("answer", render("{% generation %}answer{% endgeneration %}"));
    }
}
