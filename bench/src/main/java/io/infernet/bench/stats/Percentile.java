package io.infernet.bench.stats;

import java.util.Arrays;

/** Percentiles by the nearest-rank method: the smallest value with at least p% of the values at or below it. */
public final class Percentile {
    private Percentile() {}

    /**
     * @param values at least one finite value
     * @param p      percentile in (0, 100]
     */
    public static double of(double[] values, double p) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a percentile needs at least one value");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(1, rank) - 1];
    }
}
