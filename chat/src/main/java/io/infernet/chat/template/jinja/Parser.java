package io.infernet.chat.template.jinja;

import io.infernet.chat.template.TemplateException;
import io.infernet.chat.template.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive descent from tokens to a {@link Node} tree, with llama.cpp's grammar and precedence
 * (lowest first): {@code x if c else y}, {@code or}, {@code and}, {@code not}, comparisons and
 * {@code in} (one level), {@code + - ~}, {@code * / %}, {@code is}, {@code |}, unary {@code - +},
 * calls and members. Nesting deeper than {@value #MAX_DEPTH} is refused, so that a hostile
 * template cannot exhaust the stack.
 */
final class Parser {
    static final int MAX_DEPTH = 200;

    private final List<Token> tokens;
    private final String source;
    private int current;
    private int depth;

    private Parser(List<Token> tokens, String source) {
        this.tokens = tokens;
        this.source = source;
    }

    static List<Node> parse(Lexer.Lexed lexed) {
        Parser p = new Parser(lexed.tokens(), lexed.source());
        List<Node> body = new ArrayList<>();
        while (p.current < p.tokens.size()) {
            body.add(p.parseAny());
        }
        return List.copyOf(body);
    }

    // --- token access -----------------------------------------------------------------------

    private Token peek(int offset) {
        int i = current + offset;
        return i < tokens.size() ? tokens.get(i) : new Token(Kind.EOF, "", source.length());
    }

    private Token peek() {
        return peek(0);
    }

    private Token next() {
        if (current >= tokens.size()) {
            throw error("unexpected end of template", source.length());
        }
        return tokens.get(current++);
    }

    private boolean is(Kind kind) {
        return peek().kind() == kind;
    }

    private boolean isWord(String word) {
        return peek().kind() == Kind.IDENTIFIER && peek().text().equals(word);
    }

    private Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error("expected " + what + " but found " + describe(t), t.pos());
        }
        current++;
        return t;
    }

    private void expectWord(String word) {
        Token t = peek();
        if (t.kind() != Kind.IDENTIFIER || !t.text().equals(word)) {
            throw error("expected '" + word + "' but found " + describe(t), t.pos());
        }
        current++;
    }

    /** Whether the next tokens open a block statement named one of {@code names}. */
    private boolean isStatement(String... names) {
        if (peek(0).kind() != Kind.OPEN_STATEMENT || peek(1).kind() != Kind.IDENTIFIER) {
            return false;
        }
        String name = peek(1).text();
        for (String n : names) {
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Token t) {
        return t.kind() == Kind.EOF ? "the end of the template" : "'" + t.text() + "'";
    }

    private TemplateException error(String message, int pos) {
        int[] lc = Positions.lineColumn(source, pos);
        return new TemplateException(TemplateException.Kind.SYNTAX, message, lc[0], lc[1]);
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels", peek().pos());
        }
    }

    // --- statements ----------------------------------------------------------------------

    private Node parseAny() {
        enter();
        try {
            Token t = peek();
            return switch (t.kind()) {
                case COMMENT -> {
                    next();
                    yield new Node.Comment(t.pos());
                }
                case TEXT -> {
                    next();
                    yield new Node.Text(t.pos(), t.text());
                }
                case OPEN_STATEMENT -> parseStatement();
                case OPEN_EXPRESSION -> {
                    next();
                    Node.Expression e = parseExpression();
                    expect(Kind.CLOSE_EXPRESSION, "}}");
                    yield e;
                }
                default -> throw error("unexpected " + describe(t), t.pos());
            };
        } finally {
            depth--;
        }
    }

    /** Statements up to (not including) one of the closing statements; the end of the template is an error naming them. */
    private List<Node> body(String... until) {
        List<Node> body = new ArrayList<>();
        while (!isStatement(until)) {
            if (current >= tokens.size()) {
                throw error("missing {% " + until[until.length - 1] + " %}", source.length());
            }
            body.add(parseAny());
        }
        return List.copyOf(body);
    }

    private void closing(String word) {
        expect(Kind.OPEN_STATEMENT, "{%");
        expectWord(word);
        expect(Kind.CLOSE_STATEMENT, "%}");
    }

    private Node parseStatement() {
        expect(Kind.OPEN_STATEMENT, "{%");
        Token nameToken = peek();
        if (nameToken.kind() != Kind.IDENTIFIER) {
            throw error("expected a statement name after {% but found " + describe(nameToken), nameToken.pos());
        }
        next();
        int pos = nameToken.pos();
        return switch (nameToken.text()) {
            case "set" -> parseSet(pos);
            case "if" -> {
                Node n = parseIf(pos);
                closing("endif");
                yield n;
            }
            case "macro" -> {
                Node n = parseMacro(pos);
                closing("endmacro");
                yield n;
            }
            case "for" -> {
                Node n = parseFor(pos);
                closing("endfor");
                yield n;
            }
            case "break" -> {
                expect(Kind.CLOSE_STATEMENT, "%}");
                yield new Node.Break(pos);
            }
            case "continue" -> {
                expect(Kind.CLOSE_STATEMENT, "%}");
                yield new Node.Continue(pos);
            }
            case "call" -> parseCallBlock(pos);
            case "filter" -> {
                Node.Expression filter = parsePrimary();
                if (filter instanceof Node.Identifier && is(Kind.OPEN_PAREN)) {
                    filter = parseCall(filter);
                }
                expect(Kind.CLOSE_STATEMENT, "%}");
                List<Node> body = body("endfilter");
                closing("endfilter");
                yield new Node.FilterBlock(pos, filter, body);
            }
            case "generation", "endgeneration" -> {
                current++; // transformers' assistant-mask markers render nothing
                yield new Node.Noop(pos);
            }
            default -> throw error("unknown statement '" + nameToken.text() + "'", pos);
        };
    }

    private Node parseSet(int pos) {
        Node.Expression target = parseExpressionSequence(false);
        Node.Expression value = null;
        List<Node> body = List.of();
        if (is(Kind.EQUALS)) {
            current++;
            value = parseExpressionSequence(false);
        } else {
            expect(Kind.CLOSE_STATEMENT, "%}");
            body = body("endset");
            expect(Kind.OPEN_STATEMENT, "{%");
            expectWord("endset");
        }
        expect(Kind.CLOSE_STATEMENT, "%}");
        return new Node.Set(pos, target, value, body);
    }

    private Node parseIf(int pos) {
        Node.Expression test = parseExpression();
        expect(Kind.CLOSE_STATEMENT, "%}");
        List<Node> body = body("elif", "else", "endif");
        List<Node> alternate = List.of();
        if (isStatement("elif")) {
            int elifPos = peek().pos();
            current += 2;
            alternate = List.of(parseIf(elifPos));
        } else if (isStatement("else")) {
            current += 2;
            expect(Kind.CLOSE_STATEMENT, "%}");
            alternate = body("endif");
        }
        return new Node.If(pos, test, body, alternate);
    }

    private Node parseMacro(int pos) {
        Node.Expression name = parsePrimary();
        if (!(name instanceof Node.Identifier id)) {
            throw error("a macro name must be an identifier", name.pos());
        }
        List<Node.Expression> params = parseArgs();
        expect(Kind.CLOSE_STATEMENT, "%}");
        return new Node.Macro(pos, id.name(), params, body("endmacro"));
    }

    private Node parseFor(int pos) {
        Node.Expression loopVar = parseExpressionSequence(true);
        if (!(loopVar instanceof Node.Identifier) && !(loopVar instanceof Node.TupleLiteral)) {
            throw error("a for loop variable must be a name or names", loopVar.pos());
        }
        if (!isWord("in")) {
            throw error("expected 'in' but found " + describe(peek()), peek().pos());
        }
        current++;
        Node.Expression iterable = parseExpression();
        expect(Kind.CLOSE_STATEMENT, "%}");
        List<Node> body = body("endfor", "else");
        List<Node> otherwise = List.of();
        if (isStatement("else")) {
            current += 2;
            expect(Kind.CLOSE_STATEMENT, "%}");
            otherwise = body("endfor");
        }
        return new Node.For(pos, loopVar, iterable, body, otherwise);
    }

    private Node parseCallBlock(int pos) {
        List<Node.Expression> callerParams = is(Kind.OPEN_PAREN) ? parseArgs() : List.of();
        Node.Expression callee = parsePrimary();
        if (!(callee instanceof Node.Identifier)) {
            throw error("{% call %} needs a macro name", callee.pos());
        }
        List<Node.Expression> args = parseArgs();
        expect(Kind.CLOSE_STATEMENT, "%}");
        List<Node> body = body("endcall");
        closing("endcall");
        return new Node.CallBlock(pos, new Node.Call(pos, callee, args), callerParams, body);
    }

    // --- expressions ---------------------------------------------------------------------

    /** One expression, or several separated by commas as a tuple ({@code primary}: names only, for loop variables). */
    private Node.Expression parseExpressionSequence(boolean primary) {
        int pos = peek().pos();
        List<Node.Expression> items = new ArrayList<>();
        items.add(primary ? parsePrimary() : parseExpression());
        boolean tuple = is(Kind.COMMA);
        while (is(Kind.COMMA)) {
            current++;
            items.add(primary ? parsePrimary() : parseExpression());
        }
        return tuple ? new Node.TupleLiteral(pos, List.copyOf(items)) : items.getFirst();
    }

    private Node.Expression parseExpression() {
        enter();
        try {
            return parseIfExpression();
        } finally {
            depth--;
        }
    }

    private Node.Expression parseIfExpression() {
        Node.Expression a = parseOr();
        if (isWord("if")) {
            int pos = peek().pos();
            current++;
            Node.Expression test = parseOr();
            if (isWord("else")) {
                int elsePos = peek().pos();
                current++;
                Node.Expression otherwise = parseIfExpression();
                return new Node.Ternary(elsePos, test, a, otherwise);
            }
            return new Node.Select(pos, a, test);
        }
        return a;
    }

    private Node.Expression parseOr() {
        Node.Expression left = parseAnd();
        while (isWord("or")) {
            int pos = next().pos();
            left = new Node.Binary(pos, "or", left, parseAnd());
        }
        return left;
    }

    private Node.Expression parseAnd() {
        Node.Expression left = parseNot();
        while (isWord("and")) {
            int pos = next().pos();
            left = new Node.Binary(pos, "and", left, parseNot());
        }
        return left;
    }

    private Node.Expression parseNot() {
        if (isWord("not")) {
            int pos = next().pos();
            enter();
            try {
                return new Node.Unary(pos, "not", parseNot());
            } finally {
                depth--;
            }
        }
        return parseComparison();
    }

    private Node.Expression parseComparison() {
        Node.Expression left = parseAdditive();
        while (true) {
            int pos = peek().pos();
            String op;
            if (isWord("not") && peek(1).kind() == Kind.IDENTIFIER && peek(1).text().equals("in")) {
                current += 2;
                op = "not in";
            } else if (isWord("in")) {
                current++;
                op = "in";
            } else if (is(Kind.COMPARISON)) {
                op = next().text();
            } else {
                return left;
            }
            left = new Node.Binary(pos, op, left, parseAdditive());
        }
    }

    private Node.Expression parseAdditive() {
        Node.Expression left = parseMultiplicative();
        while (is(Kind.ADDITIVE)) {
            Token op = next();
            left = new Node.Binary(op.pos(), op.text(), left, parseMultiplicative());
        }
        return left;
    }

    private Node.Expression parseMultiplicative() {
        Node.Expression left = parseTest();
        while (is(Kind.MULTIPLICATIVE)) {
            Token op = next();
            left = new Node.Binary(op.pos(), op.text(), left, parseTest());
        }
        return left;
    }

    private Node.Expression parseTest() {
        Node.Expression operand = parseFilter();
        while (isWord("is")) {
            int pos = next().pos();
            boolean negate = false;
            if (isWord("not")) {
                current++;
                negate = true;
            }
            Node.Expression test = parsePrimary();
            if (is(Kind.OPEN_PAREN)) {
                test = parseCall(test);
            }
            operand = new Node.Test(pos, operand, negate, test);
        }
        return operand;
    }

    private Node.Expression parseFilter() {
        Node.Expression operand = parseUnary();
        while (is(Kind.PIPE)) {
            int pos = next().pos();
            Node.Expression filter = parsePrimary();
            if (is(Kind.OPEN_PAREN)) {
                filter = parseCall(filter);
            }
            operand = new Node.Filter(pos, operand, filter);
        }
        return operand;
    }

    private Node.Expression parseUnary() {
        if (is(Kind.UNARY)) {
            Token op = next();
            enter();
            try {
                return new Node.Unary(op.pos(), op.text(), parseUnary());
            } finally {
                depth--;
            }
        }
        Node.Expression member = parseMember(parsePrimary());
        return is(Kind.OPEN_PAREN) ? parseCall(member) : member;
    }

    private Node.Expression parseCall(Node.Expression callee) {
        int pos = peek().pos();
        Node.Expression call = parseMember(new Node.Call(pos, callee, parseArgs()));
        return is(Kind.OPEN_PAREN) ? parseCall(call) : call;
    }

    private List<Node.Expression> parseArgs() {
        expect(Kind.OPEN_PAREN, "(");
        List<Node.Expression> args = new ArrayList<>();
        while (!is(Kind.CLOSE_PAREN)) {
            if (is(Kind.EOF)) {
                throw error("missing ) to close an argument list", source.length());
            }
            Node.Expression arg;
            if (is(Kind.MULTIPLICATIVE) && peek().text().equals("*")) {
                int pos = next().pos();
                arg = new Node.Spread(pos, parseExpression());
            } else {
                arg = parseExpression();
                if (is(Kind.EQUALS)) {
                    int pos = next().pos();
                    if (!(arg instanceof Node.Identifier key)) {
                        throw error("a keyword argument name must be an identifier", arg.pos());
                    }
                    arg = new Node.KeywordArg(pos, key.name(), parseExpression());
                }
            }
            args.add(arg);
            if (is(Kind.COMMA)) {
                current++;
            }
        }
        expect(Kind.CLOSE_PAREN, ")");
        return List.copyOf(args);
    }

    private Node.Expression parseMember(Node.Expression object) {
        int pos = peek().pos();
        while (is(Kind.DOT) || is(Kind.OPEN_SQUARE)) {
            boolean computed = next().kind() == Kind.OPEN_SQUARE;
            Node.Expression property;
            if (computed) {
                property = parseSubscript();
                expect(Kind.CLOSE_SQUARE, "]");
            } else {
                property = parsePrimary();
            }
            object = new Node.Member(pos, object, property, computed);
        }
        return object;
    }

    /** What stands between {@code [} and {@code ]}: an index, a slice {@code a:b:c} with optional parts, or nothing. */
    private Node.Expression parseSubscript() {
        int pos = peek().pos();
        List<Node.Expression> parts = new ArrayList<>();
        boolean slice = false;
        while (!is(Kind.CLOSE_SQUARE)) {
            if (is(Kind.EOF)) {
                throw error("missing ] to close a subscript", source.length());
            }
            if (is(Kind.COLON)) {
                parts.add(null);
                current++;
                slice = true;
            } else {
                parts.add(parseExpression());
                if (is(Kind.COLON)) {
                    current++;
                    slice = true;
                }
            }
        }
        if (slice) {
            return new Node.Slice(pos, part(parts, 0), part(parts, 1), part(parts, 2));
        }
        return parts.isEmpty() ? new Node.Blank(pos) : parts.getFirst();
    }

    private static Node.Expression part(List<Node.Expression> parts, int i) {
        return i < parts.size() ? parts.get(i) : null;
    }

    private Node.Expression parsePrimary() {
        Token t = next();
        switch (t.kind()) {
            case NUMBER -> {
                try {
                    return t.text().indexOf('.') >= 0 ? new Node.FloatLiteral(t.pos(), Double.parseDouble(t.text()))
                            : new Node.IntLiteral(t.pos(), Long.parseLong(t.text()));
                } catch (NumberFormatException e) {
                    throw error("number out of range: " + t.text(), t.pos());
                }
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (is(Kind.STRING)) {
                    s.append(next().text()); // adjacent literals concatenate
                }
                return new Node.StringLiteral(t.pos(), s.toString());
            }
            case IDENTIFIER -> {
                return new Node.Identifier(t.pos(), t.text());
            }
            case OPEN_PAREN -> {
                enter();
                try {
                    Node.Expression e = parseExpressionSequence(false);
                    expect(Kind.CLOSE_PAREN, ")");
                    return e;
                } finally {
                    depth--;
                }
            }
            case OPEN_SQUARE -> {
                List<Node.Expression> items = new ArrayList<>();
                while (!is(Kind.CLOSE_SQUARE)) {
                    if (is(Kind.EOF)) {
                        throw error("missing ] to close a list", source.length());
                    }
                    items.add(parseExpression());
                    if (is(Kind.COMMA)) {
                        current++;
                    }
                }
                current++;
                return new Node.ArrayLiteral(t.pos(), List.copyOf(items));
            }
            case OPEN_CURLY -> {
                List<Node.Expression> keys = new ArrayList<>();
                List<Node.Expression> values = new ArrayList<>();
                while (!is(Kind.CLOSE_CURLY)) {
                    if (is(Kind.EOF)) {
                        throw error("missing } to close a dict", source.length());
                    }
                    keys.add(parseExpression());
                    expect(Kind.COLON, ":");
                    values.add(parseExpression());
                    if (is(Kind.COMMA)) {
                        current++;
                    }
                }
                current++;
                return new Node.ObjectLiteral(t.pos(), List.copyOf(keys), List.copyOf(values));
            }
            default -> throw error("unexpected " + describe(t), t.pos());
        }
    }
}
