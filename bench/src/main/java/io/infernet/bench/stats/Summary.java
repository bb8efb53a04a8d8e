package io.infernet.bench.stats;

import java.util.Arrays;
import java.util.List;

/**
 * The spread of a few repeated measurements. With a handful of rounds on a noisy machine the
 * median is the figure to quote; min and max show the spread; the standard deviation is the
 * sample one ({@code n - 1}), 0 for a single value.
 *
 * @param n      how many values
 * @param median the middle value (the mean of the two middle ones for even n)
 * @param min    smallest
 * @param max    largest
 * @param mean   arithmetic mean
 * @param stdev  sample standard deviation
 */
public record Summary(int n, double median, double min, double max, double mean, double stdev) {

    public Summary {
        if (n < 1) {
            throw new IllegalArgumentException("a summary needs at least one value");
        }
    }

    public static Summary of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("a summary needs at least one value");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("values must be finite, got " + Arrays.toString(values));
            }
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        double mean = sum / n;
        double sq = 0;
        for (double v : s) {
            sq += (v - mean) * (v - mean);
        }
        double stdev = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
        return new Summary(n, median, s[0], s[n - 1], mean, stdev);
    }

    public static Summary of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The ratio {@code ours[i] / reference[i]} of each round, summarized. Rounds are paired
     * because each pair was measured back to back: the ratio of a pair cancels most of the
     * machine's drift, which the ratio of two medians would not.
     */
    public static Summary ratios(double[] ours, double[] reference) {
        if (ours.length != reference.length || ours.length == 0) {
            throw new IllegalArgumentException("ratios need the same number (>= 1) of values on both sides, got "
                    + ours.length + " and " + reference.length);
        }
        double[] r = new double[ours.length];
        for (int i = 0; i < r.length; i++) {
            if (!(reference[i] > 0)) {
                throw new IllegalArgumentException("reference value " + i + " must be > 0, got " + reference[i]);
            }
            r[i] = ours[i] / reference[i];
        }
        return of(r);
    }

    /** Relative spread {@code (max - min) / median}; 0 when the median is 0. */
    public double relativeSpread() {
        return median == 0 ? 0 : (max - min) / median;
    }

    /** "231.4 (min 220.1, max 240.0)" with the given number of decimals. */
    public String format(int decimals) {
        String f = "%." + decimals + "f";
        if (n == 1) {
            return String.format(java.util.Locale.ROOT, f, median);
        }
        return String.format(java.util.Locale.ROOT, f + " (" + f + "–" + f + ")", median, min, max);
    }
}
