package io.infernet.chat.template.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Floats as C prints them: {@code %f} trimmed for output, the stream's {@code %g} for JSON. */
class NumberTextTest {

    @Test
    void fixedIsPercentFWithoutTrailingZeros() {
        assertEquals("0.5", NumberText.fixed(0.5));
        assertEquals("2.0", NumberText.fixed(2));
        assertEquals("0.0", NumberText.fixed(1e-9));
        assertEquals("0.333333", NumberText.fixed(1.0 / 3));
        assertEquals("-1.25", NumberText.fixed(-1.25));
        assertEquals("-0.0", NumberText.fixed(-0.0));
        assertEquals("100000000000000000000.0", NumberText.fixed(1e20));
        assertEquals("inf", NumberText.fixed(Double.POSITIVE_INFINITY));
    }

    @Test
    void generalIsSixSignificantDigits() {
        assertEquals("0.5", NumberText.general(0.5));
        assertEquals("1", NumberText.general(1.0));
        assertEquals("100000", NumberText.general(1e5));
        assertEquals("1e+06", NumberText.general(1e6));
        assertEquals("1.23457e+08", NumberText.general(123456789.0));
        assertEquals("0.0001", NumberText.general(1e-4));
        assertEquals("1e-05", NumberText.general(1e-5));
        assertEquals("0.3", NumberText.general(0.1 + 0.2));
        assertEquals("3.14159", NumberText.general(Math.PI));
        assertEquals("-2.5", NumberText.general(-2.5));
        assertEquals("1e+06", NumberText.general(999999.5), "rounding can carry into the exponent");
        assertEquals("-0", NumberText.general(-0.0));
        assertEquals("nan", NumberText.general(Double.NaN));
    }
}
