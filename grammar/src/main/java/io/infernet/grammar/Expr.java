package io.infernet.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A grammar expression over Unicode code points: the body of a rule. Values are immutable and
 * compare by structure. The factories ({@link #seq}, {@link #alt}, {@link #repeat}, ...) normalize:
 * nested sequences and alternatives are flattened, one-element ones unwrapped, adjacent literals in a
 * sequence merged and a one-code-point class written as a literal, so two ways of writing the same
 * structure (GBNF text, the builder) give equal values.
 */
public sealed interface Expr {

    /** The empty sequence: matches the empty string. */
    Expr EMPTY = new Seq(List.of());

    /** A fixed string of code points (any valid Unicode scalar values). */
    record Literal(String text) implements Expr {
        public Literal {
            Objects.requireNonNull(text, "text");
            text.codePoints().forEach(Expr::checkScalar);
        }
    }

    /**
     * One code point from a set: {@code ranges} are sorted, disjoint, non-adjacent inclusive pairs
     * {@code [lo0, hi0, lo1, hi1, ...]}; {@code negated} means any code point outside them. The
     * surrogates U+D800..U+DFFF are never matched (they cannot be encoded in UTF-8).
     */
    record CharClass(int[] ranges, boolean negated) implements Expr {
        public CharClass {
            ranges = CodePointSet.normalize(ranges);
        }

        /** Any code point ({@code .} in GBNF). */
        public static CharClass any() {
            return new CharClass(new int[0], true);
        }

        /** The code points matched, as sorted inclusive pairs, surrogates excluded. */
        public int[] matched() {
            int[] set = negated ? CodePointSet.complement(ranges) : ranges;
            return CodePointSet.minus(set, new int[] {0xD800, 0xDFFF});
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CharClass c && c.negated == negated && Arrays.equals(c.ranges, ranges);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ranges) * 31 + (negated ? 1 : 0);
        }

        @Override
        public String toString() {
            return "CharClass" + Arrays.toString(ranges) + (negated ? "^" : "");
        }
    }

    /** The items one after another. */
    record Seq(List<Expr> items) implements Expr {
        public Seq {
            items = List.copyOf(items);
        }
    }

    /** Any one of the options. */
    record Alt(List<Expr> options) implements Expr {
        public Alt {
            options = List.copyOf(options);
        }
    }

    /** {@code item} repeated {@code min} to {@code max} times; {@code max == UNBOUNDED} for no limit. */
    record Repeat(Expr item, int min, int max) implements Expr {
        public static final int UNBOUNDED = -1;

        public Repeat {
            Objects.requireNonNull(item, "item");
            if (min < 0 || (max != UNBOUNDED && max < min)) {
                throw new IllegalArgumentException("bad repetition {" + min + "," + (max == UNBOUNDED ? "" : max) + "}");
            }
        }
    }

    /** A reference to the rule named {@code name}. */
    record Ref(String name) implements Expr {
        public Ref {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * One vocabulary token by id (GBNF {@code <[id]>}), or with {@code negated} any one token but
     * that one ({@code !<[id]>}). Parsed and printed; the matcher refuses grammars that use it.
     */
    record Token(int id, boolean negated) implements Expr {}

    static Expr literal(String text) {
        return text.isEmpty() ? EMPTY : new Literal(text);
    }

    /** A class of the given inclusive code point ranges ({@code lo0, hi0, lo1, hi1, ...}). */
    static Expr chars(boolean negated, int... ranges) {
        int[] r = CodePointSet.normalize(ranges);
        if (!negated && r.length == 2 && r[0] == r[1] && !(r[0] >= 0xD800 && r[0] <= 0xDFFF)) {
            return new Literal(Character.toString(r[0]));
        }
        return new CharClass(r, negated);
    }

    static Expr ref(String name) {
        return new Ref(name);
    }

    static Expr seq(Expr... items) {
        return seq(Arrays.asList(items));
    }

    static Expr seq(List<Expr> items) {
        List<Expr> flat = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Expr e : items) {
            for (Expr x : e instanceof Seq s ? s.items() : List.of(e)) {
                if (x instanceof Literal l) {
                    text.append(l.text());
                } else {
                    if (!text.isEmpty()) {
                        flat.add(new Literal(text.toString()));
                        text.setLength(0);
                    }
                    flat.add(x);
                }
            }
        }
        if (!text.isEmpty()) {
            flat.add(new Literal(text.toString()));
        }
        return flat.size() == 1 ? flat.getFirst() : new Seq(flat);
    }

    static Expr alt(Expr... options) {
        return alt(Arrays.asList(options));
    }

    static Expr alt(List<Expr> options) {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("an alternative needs at least one option");
        }
        List<Expr> flat = new ArrayList<>();
        for (Expr e : options) {
            if (e instanceof Alt a) {
                flat.addAll(a.options());
            } else {
                flat.add(e);
            }
        }
        return flat.size() == 1 ? flat.getFirst() : new Alt(flat);
    }

    static Expr repeat(Expr item, int min, int max) {
        if (min == 1 && max == 1) {
            return item;
        }
        if (max == 0) {
            return EMPTY;
        }
        return new Repeat(item, min, max);
    }

    static Expr optional(Expr item) {
        return repeat(item, 0, 1);
    }

    static Expr star(Expr item) {
        return repeat(item, 0, Repeat.UNBOUNDED);
    }

    static Expr plus(Expr item) {
        return repeat(item, 1, Repeat.UNBOUNDED);
    }

    private static void checkScalar(int cp) {
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            throw new IllegalArgumentException(String.format("U+%04X is not a Unicode scalar value (a surrogate or out of range)", cp));
        }
    }
}
