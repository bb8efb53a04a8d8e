package io.infernet.engines;

import java.time.Duration;

/** The answer of a health probe: up or not, why, and how long the probe took. */
public record Health(boolean up, String detail, Duration latency) {
    public static Health up(String detail, Duration latency) {
        return new Health(true, detail, latency);
    }

    public static Health down(String detail, Duration latency) {
        return new Health(false, detail, latency);
    }
}
