package io.infernet.chat.template.jinja;

/**
 * One lexical token of a template.
 *
 * @param kind what it is
 * @param text its text: the literal's content for strings (escapes resolved), the operator, the word
 * @param pos  offset of its first character in the normalized source
 */
record Token(Kind kind, String text, int pos) {

    enum Kind {
        TEXT,
        NUMBER,
        STRING,
        IDENTIFIER,
        EQUALS,
        OPEN_PAREN,
        CLOSE_PAREN,
        OPEN_STATEMENT,
        CLOSE_STATEMENT,
        OPEN_EXPRESSION,
        CLOSE_EXPRESSION,
        OPEN_SQUARE,
        CLOSE_SQUARE,
        OPEN_CURLY,
        CLOSE_CURLY,
        COMMA,
        DOT,
        COLON,
        PIPE,
        /** {@code + - ~} */
        ADDITIVE,
        /** {@code * / %} */
        MULTIPLICATIVE,
        /** {@code < > <= >= == !=} */
        COMPARISON,
        /** a sign before an operand: {@code -} or {@code +} */
        UNARY,
        COMMENT,
        EOF
    }
}
