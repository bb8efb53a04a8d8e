package io.infernet.chat.template.jinja;

import java.util.List;

/**
 * The syntax tree of a template: statements and expressions, immutable, shared by every render
 * of the template (so a parsed template is safe to use from many threads). {@link #pos()} is the
 * offset in the normalized source an error in this node is reported at.
 */
sealed interface Node {
    int pos();

    // --- statements -----------------------------------------------------------------------

    /** Literal template text between blocks. */
    record Text(int pos, String text) implements Node {}

    record Comment(int pos) implements Node {}

    /** {@code {% generation %}} and {@code {% endgeneration %}} of transformers: nothing. */
    record Noop(int pos) implements Node {}

    /** {@code if}; an {@code elif} is an {@code If} alone in {@code alternate}. */
    record If(int pos, Node test, List<Node> body, List<Node> alternate) implements Node {}

    /** {@code for loopVar in iterable [if filter]}; {@code iterable} is a {@link Select} when filtered. */
    record For(int pos, Node loopVar, Node iterable, List<Node> body, List<Node> otherwise) implements Node {}

    record Break(int pos) implements Node {}

    record Continue(int pos) implements Node {}

    /** {@code set target = value}, or the block form ({@code value} null, {@code body} rendered). */
    record Set(int pos, Node target, Node value, List<Node> body) implements Node {}

    /** {@code macro name(params)}: params are {@link Identifier}s or {@link KeywordArg}s with defaults. */
    record Macro(int pos, String name, List<Node> params, List<Node> body) implements Node {}

    /** {@code call(callerParams) macro(args)} with a body that the macro reaches as {@code caller()}. */
    record CallBlock(int pos, Call call, List<Node> callerParams, List<Node> body) implements Node {}

    /** {@code filter name(args)} applied to the rendered body. */
    record FilterBlock(int pos, Node filter, List<Node> body) implements Node {}

    // --- expressions ----------------------------------------------------------------------

    record Identifier(int pos, String name) implements Node {}

    record IntLiteral(int pos, long value) implements Node {}

    record FloatLiteral(int pos, double value) implements Node {}

    record StringLiteral(int pos, String value) implements Node {}

    record ArrayLiteral(int pos, List<Node> items) implements Node {}

    record TupleLiteral(int pos, List<Node> items) implements Node {}

    record ObjectLiteral(int pos, List<Node> keys, List<Node> values) implements Node {}

    /** {@code object.property} ({@code computed} false) or {@code object[property]}. */
    record Member(int pos, Node object, Node property, boolean computed) implements Node {}

    /** {@code [start:stop:step]}; absent parts are null. */
    record Slice(int pos, Node start, Node stop, Node step) implements Node {}

    /** {@code a[]}. */
    record Blank(int pos) implements Node {}

    record Call(int pos, Node callee, List<Node> args) implements Node {}

    /** {@code name=value} in an argument list. */
    record KeywordArg(int pos, String name, Node value) implements Node {}

    /** {@code *expr} in an argument list (parsed, not supported at run time). */
    record Spread(int pos, Node argument) implements Node {}

    /** Binary operator: arithmetic, comparison, {@code and}, {@code or}, {@code in}, {@code not in}, {@code ~}. */
    record Binary(int pos, String op, Node left, Node right) implements Node {}

    /** {@code not x}, {@code -x}, {@code +x}. */
    record Unary(int pos, String op, Node operand) implements Node {}

    /** {@code operand | filter}; {@code filter} is an {@link Identifier} or a {@link Call} of one. */
    record Filter(int pos, Node operand, Node filter) implements Node {}

    /** {@code operand is [not] test}; {@code test} is an {@link Identifier} or a {@link Call} of one. */
    record Test(int pos, Node operand, boolean negate, Node test) implements Node {}

    /** {@code a if b else c}. */
    record Ternary(int pos, Node condition, Node whenTrue, Node whenFalse) implements Node {}

    /** {@code value if test} without {@code else}: undefined when the test fails; the filter of a {@code for}. */
    record Select(int pos, Node value, Node test) implements Node {}
}
