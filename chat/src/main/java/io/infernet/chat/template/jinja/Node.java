package io.infernet.chat.template.jinja;

import java.util.List;

/**
 * The syntax tree of a template: statements and expressions, immutable, shared by every render
 * of the template (so a parsed template is safe to use from many threads). {@link #pos()} is the
 * offset in the normalized source an error in this node is reported at.
 */
sealed interface Node {
    int pos();

    /** What renders: text, blocks. */
    sealed interface Statement extends Node {}

    /** What has a value; at the top of a body, {@code {{ expression }}}. */
    sealed interface Expression extends Node {}

    // --- statements -----------------------------------------------------------------------

    /** Literal template text between blocks. */
    record Text(int pos, String text) implements Statement {}

    record Comment(int pos) implements Statement {}

    /** {@code {% generation %}} and {@code {% endgeneration %}} of transformers: nothing. */
    record Noop(int pos) implements Statement {}

    /** {@code if}; an {@code elif} is an {@code If} alone in {@code alternate}. */
    record If(int pos, Expression test, List<Node> body, List<Node> alternate) implements Statement {}

    /** {@code for loopVar in iterable [if filter]}; {@code iterable} is a {@link Select} when filtered. */
    record For(int pos, Expression loopVar, Expression iterable, List<Node> body, List<Node> otherwise) implements Statement {}

    record Break(int pos) implements Statement {}

    record Continue(int pos) implements Statement {}

    /** {@code set target = value}, or the block form ({@code value} null, {@code body} rendered). */
    record Set(int pos, Expression target, Expression value, List<Node> body) implements Statement {}

    /** {@code macro name(params)}: params are {@link Identifier}s or {@link KeywordArg}s with defaults. */
    record Macro(int pos, String name, List<Expression> params, List<Node> body) implements Statement {}

    /** {@code call(callerParams) macro(args)} with a body that the macro reaches as {@code caller()}. */
    record CallBlock(int pos, Call call, List<Expression> callerParams, List<Node> body) implements Statement {}

    /** {@code filter name(args)} applied to the rendered body. */
    record FilterBlock(int pos, Expression filter, List<Node> body) implements Statement {}

    // --- expressions ----------------------------------------------------------------------

    record Identifier(int pos, String name) implements Expression {}

    record IntLiteral(int pos, long value) implements Expression {}

    record FloatLiteral(int pos, double value) implements Expression {}

    record StringLiteral(int pos, String value) implements Expression {}

    record ArrayLiteral(int pos, List<Expression> items) implements Expression {}

    record TupleLiteral(int pos, List<Expression> items) implements Expression {}

    record ObjectLiteral(int pos, List<Expression> keys, List<Expression> values) implements Expression {}

    /** {@code object.property} ({@code computed} false) or {@code object[property]}. */
    record Member(int pos, Expression object, Expression property, boolean computed) implements Expression {}

    /** {@code [start:stop:step]}; absent parts are null. */
    record Slice(int pos, Expression start, Expression stop, Expression step) implements Expression {}

    /** {@code a[]}. */
    record Blank(int pos) implements Expression {}

    record Call(int pos, Expression callee, List<Expression> args) implements Expression {}

    /** {@code name=value} in an argument list. */
    record KeywordArg(int pos, String name, Expression value) implements Expression {}

    /** {@code *expr} in an argument list (parsed, not supported at run time). */
    record Spread(int pos, Expression argument) implements Expression {}

    /** Binary operator: arithmetic, comparison, {@code and}, {@code or}, {@code in}, {@code not in}, {@code ~}. */
    record Binary(int pos, String op, Expression left, Expression right) implements Expression {}

    /** {@code not x}, {@code -x}, {@code +x}. */
    record Unary(int pos, String op, Expression operand) implements Expression {}

    /** {@code operand | filter}; {@code filter} is an {@link Identifier} or a {@link Call} of one. */
    record Filter(int pos, Expression operand, Expression filter) implements Expression {}

    /** {@code operand is [not] test}; {@code test} is an {@link Identifier} or a {@link Call} of one. */
    record Test(int pos, Expression operand, boolean negate, Expression test) implements Expression {}

    /** {@code a if b else c}. */
    record Ternary(int pos, Expression condition, Expression whenTrue, Expression whenFalse) implements Expression {}

    /** {@code value if test} without {@code else}: undefined when the test fails; the filter of a {@code for}. */
    record Select(int pos, Expression value, Expression test) implements Expression {}
}
