package io.infernet.grammar;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * GBNF text for JSON numbers within bounds. Integers follow llama.cpp's json-schema-to-grammar
 * exactly (same alternatives, digit limits of 16); decimals are ours: an integer part by the same
 * method and a fraction compared digit by digit with the bounds, without exponents (every text it
 * allows is inside the bounds; not every number inside is reachable, e.g. {@code 1e3}).
 */
final class NumberRanges {
    static final long NONE_MIN = Long.MIN_VALUE;
    static final long NONE_MAX = Long.MAX_VALUE;
    /** Digits of a fraction at most (as llama.cpp's decimal-part). */
    static final int FRACTION_DIGITS = 16;

    private NumberRanges() {}

    /** Integers in [min, max]; {@link #NONE_MIN}/{@link #NONE_MAX} for an open side (not both). */
    static String integer(long min, long max) {
        StringBuilder out = new StringBuilder();
        minMax(min, max, out, 16, true);
        return out.toString();
    }

    private static void digitRange(StringBuilder out, char from, char to) {
        out.append('[').append(from);
        if (from != to) {
            out.append('-').append(to);
        }
        out.append(']');
    }

    private static void moreDigits(StringBuilder out, int minDigits, int maxDigits) {
        out.append("[0-9]");
        if (minDigits == maxDigits && minDigits == 1) {
            return;
        }
        out.append('{').append(minDigits);
        if (maxDigits != minDigits) {
            out.append(',');
            if (maxDigits != Integer.MAX_VALUE) {
                out.append(maxDigits);
            }
        }
        out.append('}');
    }

    /** Decimal strings of equal length from {@code from} to {@code to}, digit by digit. */
    private static void uniformRange(StringBuilder out, String from, String to) {
        int i = 0;
        while (i < from.length() && i < to.length() && from.charAt(i) == to.charAt(i)) {
            i++;
        }
        if (i > 0) {
            out.append('"').append(from, 0, i).append('"');
        }
        if (i >= from.length() || i >= to.length()) {
            return;
        }
        if (i > 0) {
            out.append(' ');
        }
        int subLen = from.length() - i - 1;
        if (subLen == 0) {
            out.append('[').append(from.charAt(i)).append('-').append(to.charAt(i)).append(']');
            return;
        }
        String fromSub = from.substring(i + 1);
        String toSub = to.substring(i + 1);
        String zeros = "0".repeat(subLen);
        String nines = "9".repeat(subLen);
        boolean toReached = false;
        out.append('(');
        if (fromSub.equals(zeros)) {
            digitRange(out, from.charAt(i), (char) (to.charAt(i) - 1));
            out.append(' ');
            moreDigits(out, subLen, subLen);
        } else {
            out.append('[').append(from.charAt(i)).append("] (");
            uniformRange(out, fromSub, nines);
            out.append(')');
            if (from.charAt(i) < to.charAt(i) - 1) {
                out.append(" | ");
                if (toSub.equals(nines)) {
                    digitRange(out, (char) (from.charAt(i) + 1), to.charAt(i));
                    toReached = true;
                } else {
                    digitRange(out, (char) (from.charAt(i) + 1), (char) (to.charAt(i) - 1));
                }
                out.append(' ');
                moreDigits(out, subLen, subLen);
            }
        }
        if (!toReached) {
            out.append(" | ");
            digitRange(out, to.charAt(i), to.charAt(i));
            out.append(' ');
            uniformRange(out, zeros, toSub);
        }
        out.append(')');
    }

    private static void minMax(long min, long max, StringBuilder out, int decimalsLeft, boolean topLevel) {
        boolean hasMin = min != NONE_MIN;
        boolean hasMax = max != NONE_MAX;
        if (hasMin && hasMax) {
            if (min < 0 && max < 0) {
                out.append("\"-\" (");
                minMax(-max, -min, out, decimalsLeft, true);
                out.append(')');
                return;
            }
            if (min < 0) {
                out.append("\"-\" (");
                minMax(0, -min, out, decimalsLeft, true);
                out.append(") | ");
                min = 0;
            }
            String minS = Long.toString(min);
            String maxS = Long.toString(max);
            for (int digits = minS.length(); digits < maxS.length(); digits++) {
                uniformRange(out, minS, "9".repeat(digits));
                minS = "1" + "0".repeat(digits);
                out.append(" | ");
            }
            uniformRange(out, minS, maxS);
            return;
        }
        int lessDecimals = Math.max(decimalsLeft - 1, 1);
        if (hasMin) {
            if (min < 0) {
                out.append("\"-\" (");
                minMax(NONE_MIN, -min, out, decimalsLeft, false);
                out.append(") | [0] | [1-9] ");
                moreDigits(out, 0, decimalsLeft - 1);
            } else if (min == 0) {
                if (topLevel) {
                    out.append("[0] | [1-9] ");
                    moreDigits(out, 0, lessDecimals);
                } else {
                    moreDigits(out, 1, decimalsLeft);
                }
            } else if (min <= 9) {
                char c = (char) ('0' + min);
                char rangeStart = topLevel ? '1' : '0';
                if (c > rangeStart) {
                    digitRange(out, rangeStart, (char) (c - 1));
                    out.append(' ');
                    moreDigits(out, 1, lessDecimals);
                    out.append(" | ");
                }
                digitRange(out, c, '9');
                out.append(' ');
                moreDigits(out, 0, lessDecimals);
            } else {
                String minS = Long.toString(min);
                int len = minS.length();
                char c = minS.charAt(0);
                if (c > '1') {
                    digitRange(out, topLevel ? '1' : '0', (char) (c - 1));
                    out.append(' ');
                    moreDigits(out, len, lessDecimals);
                    out.append(" | ");
                }
                digitRange(out, c, c);
                out.append(" (");
                String rest = minS.substring(1);
                if (rest.length() >= 2 && rest.charAt(0) == '0') {
                    // llama.cpp recurses on the rest's value and loses its leading zeros (min 101 let 11 through)
                    atLeast(out, rest, lessDecimals);
                } else {
                    minMax(Long.parseLong(rest), NONE_MAX, out, lessDecimals, false);
                }
                out.append(')');
                if (c < '9') {
                    out.append(" | ");
                    digitRange(out, (char) (c + 1), '9');
                    out.append(' ');
                    moreDigits(out, len - 1, lessDecimals);
                }
            }
            return;
        }
        if (hasMax) {
            if (max >= 0) {
                if (topLevel) {
                    out.append("\"-\" [1-9] ");
                    moreDigits(out, 0, lessDecimals);
                    out.append(" | ");
                }
                minMax(0, max, out, decimalsLeft, true);
            } else {
                // The magnitude stands first: no leading zero (llama.cpp passes top_level=false and allows "-01")
                out.append("\"-\" (");
                minMax(-max, NONE_MAX, out, decimalsLeft, true);
                out.append(')');
            }
            return;
        }
        throw new IllegalArgumentException("an integer range needs a minimum or a maximum");
    }

    /**
     * Digit strings of {@code rest.length()} to {@code maxLen} digits (leading zeros allowed) that,
     * when exactly as long as {@code rest}, are not below it.
     */
    private static void atLeast(StringBuilder out, String rest, int maxLen) {
        int len = rest.length();
        char f = rest.charAt(0);
        boolean first = true;
        if (f < '9') {
            digitRange(out, (char) (f + 1), '9');
            out.append(' ');
            moreDigits(out, len - 1, maxLen - 1);
            first = false;
        }
        if (!first) {
            out.append(" | ");
        }
        out.append('[').append(f).append(']');
        if (len > 1) {
            out.append(" (");
            atLeast(out, rest.substring(1), maxLen - 1);
            out.append(')');
        } else if (maxLen > 1) {
            out.append(' ');
            moreDigits(out, 0, maxLen - 1);
        }
        if (f > '0') {
            out.append(" | ");
            digitRange(out, '0', (char) (f - 1));
            out.append(' ');
            moreDigits(out, len, maxLen - 1);
        }
    }

    // ---- decimals ----

    /**
     * JSON numbers x (no exponent) with {@code lo <(=) x <(=) hi}; a null bound is open. Returns
     * null when no number is in range.
     */
    static String decimal(BigDecimal lo, boolean loExclusive, BigDecimal hi, boolean hiExclusive) {
        if (lo != null && hi != null) {
            int c = lo.compareTo(hi);
            if (c > 0 || (c == 0 && (loExclusive || hiExclusive))) {
                return null;
            }
        }
        StringBuilder out = new StringBuilder();
        boolean negative = lo == null || lo.signum() < 0;
        boolean positive = hi == null || hi.signum() > 0 || (hi.signum() == 0 && !hiExclusive);
        if (negative) {
            // x = -m with m in [max(0, -hi), -lo]: 0 excluded here (written without a sign below)
            BigDecimal mLo = hi == null || hi.signum() >= 0 ? BigDecimal.ZERO : hi.negate();
            boolean mLoExclusive = hi == null || hi.signum() >= 0 || hiExclusive;
            BigDecimal mHi = lo == null ? null : lo.negate();
            String m = magnitude(mLo, mLoExclusive, mHi, loExclusive);
            if (m != null) {
                out.append("\"-\" (").append(m).append(')');
            }
        }
        if (positive) {
            BigDecimal pLo = lo == null || lo.signum() <= 0 ? BigDecimal.ZERO : lo;
            boolean pLoExclusive = lo != null && lo.signum() >= 0 && loExclusive;
            String p = magnitude(pLo, pLoExclusive, hi, hiExclusive);
            if (p != null) {
                if (!out.isEmpty()) {
                    out.append(" | ");
                }
                out.append(p);
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** Non-negative decimals m with a &lt;(=) m &lt;(=) b (b null: open), a &gt;= 0. Null if none. */
    private static String magnitude(BigDecimal a, boolean aEx, BigDecimal b, boolean bEx) {
        if (b != null) {
            int c = a.compareTo(b);
            if (c > 0 || (c == 0 && (aEx || bEx))) {
                return null;
            }
        }
        long ia = a.setScale(0, RoundingMode.FLOOR).longValueExact();
        String fa = fractionDigits(a);
        StringBuilder out = new StringBuilder();
        if (b == null) {
            // I == ia with fraction >(=) fa; I > ia with any fraction
            appendAlt(out, intLiteral(ia), fraction(fa, aEx, null, false));
            appendAlt(out, intRangeText(ia + 1, NONE_MAX), anyFraction());
            return out.toString();
        }
        long ib = b.setScale(0, RoundingMode.FLOOR).longValueExact();
        String fb = fractionDigits(b);
        if (ia == ib) {
            appendAlt(out, intLiteral(ia), fraction(fa, aEx, fb, bEx));
        } else {
            appendAlt(out, intLiteral(ia), fraction(fa, aEx, null, false));
            if (ib - ia >= 2) {
                appendAlt(out, intRangeText(ia + 1, ib - 1), anyFraction());
            }
            appendAlt(out, intLiteral(ib), fraction("", false, fb, bEx));
        }
        return out.isEmpty() ? null : out.toString();
    }

    private static void appendAlt(StringBuilder out, String intPart, Fraction f) {
        if (f == null) {
            return;
        }
        String frac = f.text == null ? null : "\".\" (" + f.text + ")";
        String tail = f.allowsNone ? (frac == null ? "" : " (" + frac + ")?") : (frac == null ? null : " " + frac);
        if (tail == null) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(" | ");
        }
        out.append('(').append(intPart).append(')').append(tail);
    }

    private static String intLiteral(long v) {
        return "\"" + v + "\"";
    }

    private static String intRangeText(long lo, long hi) {
        if (hi == NONE_MAX && lo == 0) {
            return "[0] | [1-9] [0-9]{0,15}";
        }
        return integer(lo, hi);
    }

    /** The digits after the point, trailing zeros removed ("" for an integer). */
    private static String fractionDigits(BigDecimal v) {
        BigDecimal f = v.subtract(v.setScale(0, RoundingMode.FLOOR)).stripTrailingZeros();
        if (f.signum() == 0) {
            return "";
        }
        String s = f.toPlainString();
        return s.substring(s.indexOf('.') + 1);
    }

    /** Fraction digit strings: whether "no fraction" is allowed, and GBNF for the non-empty ones (null: none). */
    private record Fraction(boolean allowsNone, String text) {}

    private static Fraction anyFraction() {
        return new Fraction(true, "[0-9]{1," + FRACTION_DIGITS + "}");
    }

    /**
     * Fractions f (as 0.f) with lo &lt;(=) 0.f &lt;(=) hi; lo and hi are digit strings without
     * trailing zeros, hi == null for no upper bound (below 1).
     */
    private static Fraction fraction(String lo, boolean loEx, String hi, boolean hiEx) {
        boolean none = !(lo.isEmpty() && loEx) && (lo.isEmpty()) && (hi == null || !(hi.isEmpty() && hiEx));
        String text = digits(lo, loEx, hi, hiEx, FRACTION_DIGITS);
        if (!none && text == null) {
            return null;
        }
        return new Fraction(none, text);
    }

    private static void alternative(StringBuilder out, String first, boolean mayEnd, String more) {
        if (!out.isEmpty()) {
            out.append(" | ");
        }
        out.append(first);
        if (more != null) {
            out.append(mayEnd ? " (" + more + ")?" : " (" + more + ")");
        }
    }

    /**
     * GBNF for digit strings d of length 1..len with lo &lt;(=) 0.d &lt;(=) hi (hi null: &lt; 1);
     * null if there are none.
     */
    private static String digits(String lo, boolean loEx, String hi, boolean hiEx, int len) {
        if (len <= 0) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int dLo = lo.isEmpty() ? 0 : lo.charAt(0) - '0';
        int dHi = hi == null ? 9 : hi.isEmpty() ? 0 : hi.charAt(0) - '0';
        int freeFrom = -1; // a run of digits bound by neither side: one class
        for (int d = dLo; d <= dHi + 1; d++) {
            boolean atLo = d == dLo && (!lo.isEmpty() || loEx);
            boolean atHi = hi != null && d == dHi;
            if (d <= dHi && !atLo && !atHi) {
                if (freeFrom < 0) {
                    freeFrom = d;
                }
                continue;
            }
            if (freeFrom >= 0) {
                alternative(out, freeFrom == d - 1 ? "\"" + freeFrom + "\"" : "[" + freeFrom + "-" + (d - 1) + "]", true,
                        len > 1 ? "[0-9]{1," + (len - 1) + "}" : null);
                freeFrom = -1;
            }
            if (d > dHi) {
                break;
            }
            String restLo = atLo && !lo.isEmpty() ? lo.substring(1) : "";
            boolean restLoEx = atLo && loEx;
            String restHi = atHi ? (hi.isEmpty() ? "" : hi.substring(1)) : null;
            boolean restHiEx = atHi && hiEx;
            if (atHi && hi.isEmpty() && hiEx) {
                continue; // 0.d < 0: none
            }
            // The digit alone (the rest empty, i.e. zeros) must meet both bounds on the rest.
            boolean endOk = (!atLo || (restLo.isEmpty() && !restLoEx)) && (restHi == null || !(restHi.isEmpty() && restHiEx));
            String more = digits(restLo, restLoEx, restHi, restHiEx, len - 1);
            if (endOk || more != null) {
                alternative(out, "\"" + d + "\"", endOk, more);
            }
        }
        return out.isEmpty() ? null : out.toString();
    }
}
