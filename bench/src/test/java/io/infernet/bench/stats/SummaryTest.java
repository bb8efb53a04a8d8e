package io.infernet.bench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void evenCountHasTheMeanOfTheMiddleTwoAsMedianAndTheSampleStdev() {
        Summary s = Summary.of(4, 1, 3, 2);
        assertEquals(4, s.n());
        assertEquals(2.5, s.median());
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(2.5, s.mean());
        assertEquals(Math.sqrt(5.0 / 3.0), s.stdev(), 1e-12); // squares 2.25+0.25+0.25+2.25 = 5, over n-1 = 3
        assertEquals(1.2, s.relativeSpread(), 1e-12);
    }

    @Test
    void oddCountAndSingleValue() {
        Summary s = Summary.of(10, 30, 20);
        assertEquals(20, s.median());
        assertEquals(10, s.stdev(), 1e-12);
        Summary one = Summary.of(7.5);
        assertEquals(7.5, one.median());
        assertEquals(0, one.stdev());
        assertEquals("7.5", one.format(1));
        assertEquals("20.0 (10.0–30.0)", s.format(1));
    }

    @Test
    void ratiosArePairedPerRound() {
        Summary r = Summary.ratios(new double[] {200, 220, 180}, new double[] {100, 110, 100});
        assertEquals(2.0, r.median(), 1e-12);
        assertEquals(1.8, r.min(), 1e-12);
        assertEquals(2.0, r.max(), 1e-12);
        assertEquals((2 + 2 + 1.8) / 3, r.mean(), 1e-12);
    }

    @Test
    void badInputIsRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, Summary::of);
        assertThrows(IllegalArgumentException.class, () -> Summary.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Summary.ratios(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Summary.ratios(new double[] {1}, new double[] {0}));
    }

    @Test
    void percentilesByNearestRank() {
        double[] v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        assertEquals(5, Percentile.of(v, 50));
        assertEquals(9, Percentile.of(v, 90));
        assertEquals(10, Percentile.of(v, 99));
        assertEquals(1, Percentile.of(v, 1));
        assertEquals(42, Percentile.of(new double[] {42}, 99));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(v, 0));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[0], 50));
    }
}
