package io.infernet.chat.template.jinja;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Floats as text, the way llama.cpp's engine prints them: {@link #fixed} as C's {@code %f} with
 * trailing zeros dropped (the text of {@code {{ x }}}), {@link #general} as a C++ stream's
 * default ({@code %g}, six significant digits: the text of {@code tojson}). Both round the exact
 * binary value half to even, as glibc does.
 */
final class NumberText {
    private NumberText() {}

    /** {@code std::to_string(v)} without trailing zeros, keeping one after the point: 0.5, 2.0, 0.0 for 1e-9. */
    static String fixed(double v) {
        if (Double.isNaN(v)) {
            return negative(v) ? "-nan" : "nan";
        }
        if (Double.isInfinite(v)) {
            return v < 0 ? "-inf" : "inf";
        }
        String s = new BigDecimal(Math.abs(v)).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        if (negative(v)) {
            s = "-" + s;
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') {
            end--;
        }
        s = s.substring(0, end);
        return s.endsWith(".") ? s + "0" : s;
    }

    /** {@code std::ostream << v} with default flags: 0.5, 1, 1e-07, 1.23457e+08. */
    static String general(double v) {
        if (Double.isNaN(v)) {
            return negative(v) ? "-nan" : "nan";
        }
        if (Double.isInfinite(v)) {
            return v < 0 ? "-inf" : "inf";
        }
        String sign = negative(v) ? "-" : "";
        if (v == 0) {
            return sign + "0";
        }
        BigDecimal rounded = new BigDecimal(Math.abs(v)).round(new MathContext(6, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 6) {
            String digits = stripZeros(rounded.unscaledValue().toString());
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = Integer.toString(Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
        }
        String plain = rounded.setScale(Math.max(0, 5 - exponent), RoundingMode.HALF_EVEN).toPlainString();
        if (plain.indexOf('.') >= 0) {
            plain = stripZeros(plain);
            if (plain.endsWith(".")) {
                plain = plain.substring(0, plain.length() - 1);
            }
        }
        return sign + plain;
    }

    private static String stripZeros(String s) {
        int end = s.length();
        while (end > 1 && s.charAt(end - 1) == '0') {
            end--;
        }
        return s.substring(0, end);
    }

    private static boolean negative(double v) {
        return (Double.doubleToRawLongBits(v) & Long.MIN_VALUE) != 0;
    }
}
