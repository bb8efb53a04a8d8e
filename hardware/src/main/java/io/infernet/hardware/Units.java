package io.infernet.hardware;

import java.util.Locale;

/** Formatting of byte counts for people. */
public final class Units {
    private Units() {}

    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;

    /**
     * GiB with one decimal below 10 and none from 10 up ({@code 5.9}, {@code 1.0}, {@code 24},
     * {@code 18}): enough precision to compare, no more.
     */
    public static String gib(long bytes) {
        double g = bytes / (double) GIB;
        if (Math.abs(g) >= 9.95) {
            return String.format(Locale.ROOT, "%d", Math.round(g));
        }
        return String.format(Locale.ROOT, "%.1f", g);
    }

    /** GiB with one decimal always ({@code 23.5}), where the exact amount matters to the reader. */
    public static String gib1(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) GIB);
    }

    /** {@code bytes} in GiB rounded to one decimal, as a number (for JSON). */
    public static double gibOneDecimal(long bytes) {
        return Math.round(bytes * 10.0 / GIB) / 10.0;
    }
}
