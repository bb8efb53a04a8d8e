package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TierTest {
    private static final long MIB = 1L << 20;

    @Test
    void wireCutsGoUpAtTheCut() {
        assertEquals(WireTier.UNKNOWN, WireTier.ofMib(0));
        assertEquals(WireTier.UNDER_8GB, WireTier.ofMib(1));
        assertEquals(WireTier.UNDER_8GB, WireTier.ofMib(8191));
        assertEquals(WireTier.GB_8_TO_16, WireTier.ofMib(8192));
        assertEquals(WireTier.GB_8_TO_16, WireTier.ofMib(16383));
        assertEquals(WireTier.GB_16_TO_24, WireTier.ofMib(16384));
        assertEquals(WireTier.GB_16_TO_24, WireTier.ofMib(24575));
        assertEquals(WireTier.GB_24_TO_48, WireTier.ofMib(24576));
        assertEquals(WireTier.GB_24_TO_48, WireTier.ofMib(49151));
        assertEquals(WireTier.GB_48_AND_UP, WireTier.ofMib(49152));
        assertEquals(WireTier.GB_48_AND_UP, WireTier.ofMib(196_608));
    }

    @Test
    void wireFromBytesRoundsDownToWholeMib() {
        assertEquals(WireTier.UNDER_8GB, WireTier.of(OptionalLong.of(8192 * MIB - 1)));
        assertEquals(WireTier.GB_8_TO_16, WireTier.of(OptionalLong.of(8192 * MIB)));
        assertEquals(WireTier.UNKNOWN, WireTier.of(OptionalLong.empty()));
    }

    @Test
    void wireStringsAreWhatTheControlPlaneAccepts() {
        assertEquals("<8gb 8-16gb 16-24gb 24-48gb >=48gb unknown",
                String.join(" ", java.util.Arrays.stream(WireTier.values()).map(WireTier::wire).toList()));
        assertEquals(WireTier.GB_24_TO_48, WireTier.parse("24-48gb"));
        assertEquals(WireTier.UNKNOWN, WireTier.parse("<script>"));
    }

    @Test
    void userTierToleratesOnePercentBelowNominal() {
        // 1% below 8 GiB is 8110.08 MiB.
        assertEquals(UserTier.CPU, UserTier.forVram(OptionalLong.of(8110 * MIB)));
        assertEquals(UserTier.ENTRY, UserTier.forVram(OptionalLong.of(8111 * MIB)));
        assertEquals(UserTier.ENTRY, UserTier.forVram(OptionalLong.of(8188 * MIB))); // RTX 4060 Ti 8 GB
        assertEquals(UserTier.ENTRY, UserTier.forVram(OptionalLong.of(12000 * MIB)));
        assertEquals(UserTier.MID_RANGE, UserTier.forVram(OptionalLong.of(12288 * MIB)));
        assertEquals(UserTier.MID_RANGE, UserTier.forVram(OptionalLong.of(16384 * MIB)));
        assertEquals(UserTier.HIGH_END, UserTier.forVram(OptionalLong.of(24564 * MIB))); // RTX 4090
        assertEquals(UserTier.HIGH_END, UserTier.forVram(OptionalLong.of(46068 * MIB))); // L40S with ECC
        assertEquals(UserTier.FLAGSHIP, UserTier.forVram(OptionalLong.of(49140 * MIB))); // RTX 6000 Ada
        assertEquals(UserTier.FLAGSHIP, UserTier.forVram(OptionalLong.of(81559 * MIB)));
        assertEquals(UserTier.CPU, UserTier.forVram(OptionalLong.empty()));
    }

    @Test
    void userTierDataMatchesTheSeedTables() {
        assertEquals(">=48gb >=24gb >=12gb >=8gb cpu",
                String.join(" ", java.util.Arrays.stream(UserTier.values()).map(UserTier::id).toList()));
        assertEquals(64, UserTier.FLAGSHIP.ramMinGb());
        assertEquals(128, UserTier.FLAGSHIP.ramRecommendedGb());
        assertEquals(32, UserTier.HIGH_END.ramMinGb());
        assertEquals(64, UserTier.HIGH_END.ramRecommendedGb());
        for (UserTier t : new UserTier[] {UserTier.MID_RANGE, UserTier.ENTRY, UserTier.CPU}) {
            assertEquals(16, t.ramMinGb());
            assertEquals(32, t.ramRecommendedGb());
            assertEquals("250 GB NVMe", t.diskRecommendation());
        }
        assertEquals("1 TB NVMe", UserTier.FLAGSHIP.diskRecommendation());
        assertEquals("500 GB NVMe", UserTier.HIGH_END.diskRecommendation());
    }

    /** Every text of every tier appears verbatim in the seed (a copy in test resources, its mis-encoded dash restored). */
    @Test
    void userTierTextsAreTheSeedsVerbatim() throws IOException {
        String seed;
        try (InputStream in = TierTest.class.getResourceAsStream("hardware-requirements.txt")) {
            seed = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("β€”", "—");
        }
        for (UserTier t : UserTier.values()) {
            assertTrue(seed.contains("Tier: " + t.heading() + "\n"), t.heading());
            assertTrue(seed.contains("What you can run: " + t.canRun() + "\n"), t.id());
            t.exampleHardware().ifPresent(s -> assertTrue(seed.contains("Example hardware: " + s + "\n"), s));
            t.throughput().ifPresent(s -> assertTrue(seed.contains("Expected throughput: " + s + "\n"), s));
            t.recommendedBackends().ifPresent(s -> assertTrue(seed.contains("Recommended backends: " + s + "\n"), s));
            t.notes().ifPresent(s -> assertTrue(seed.contains(s + "\n"), s));
            assertTrue(seed.contains(t.id() + " " + t.ramMinGb() + " GB " + t.ramRecommendedGb() + " GB\n"), t.id() + " RAM row");
        }
        assertTrue(seed.contains(">=48gb tier: 1 TB NVMe"));
        assertTrue(seed.contains(">=24gb tier: 500 GB NVMe"));
        assertTrue(seed.contains("<=12gb tier: 250 GB NVMe"));
    }
}
