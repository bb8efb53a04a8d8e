package io.infernet.bench.roofline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.infernet.bench.tier.ModelFacts;
import org.junit.jupiter.api.Test;

class RooflineTest {

    /** 1,000,000 bytes of weights, of which a 1000-row token embedding of 100,000; 1,000 KV bytes per token. */
    private static final ModelFacts MODEL = new ModelFacts("m", 1_000_000, 2_000_000, 100_000, 100, 1_000);

    @Test
    void bytesPerTokenCountsOneEmbeddingRowAndTheAverageKvLength() {
        // 127 tokens from an empty cache: token i reads i+1 positions, 64 on average
        assertEquals(1_000_000 - 100_000 + 100 + 64 * 1_000, Roofline.bytesPerToken(MODEL, 127), 1e-9);
        // one token reads one position
        assertEquals(1_000_000 - 100_000 + 100 + 1_000, Roofline.bytesPerToken(MODEL, 1), 1e-9);
        // 128 tokens: 64.5 positions on average
        assertEquals(1_000_000 - 100_000 + 100 + 64_500, Roofline.bytesPerToken(MODEL, 128), 1e-9);
    }

    @Test
    void tokensPerSecondIsBandwidthOverBytesAndFractionsAreOfThat() {
        Bandwidth bw = new Bandwidth(96.41, 100, 1 << 28, 2, "test"); // 96.41 GB/s over 964,100 bytes per token
        Roofline r = Roofline.of(bw, MODEL, 127);
        assertEquals(964_100, r.bytesPerToken(), 1e-9);
        assertEquals(100_000, r.tokensPerSecond(), 1e-6);
        assertEquals(0.5, r.fraction(50_000), 1e-12);
        assertEquals(1.25, r.fraction(125_000), 1e-12);
    }

    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> Roofline.bytesPerToken(MODEL, 0));
        assertThrows(IllegalArgumentException.class, () -> new Bandwidth(0, 1, 1, 1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ModelFacts("bad", 100, 1, 200, 1, 1));
    }

    @Test
    void sysfsCacheSizes() {
        assertEquals(32L << 20, MemoryBandwidth.parseCacheSize("32768K\n"));
        assertEquals(1L << 20, MemoryBandwidth.parseCacheSize("1M"));
        assertEquals(4096, MemoryBandwidth.parseCacheSize("4096"));
    }

    @Test
    void defaultArraysAreLargeButBoundedByRam() {
        long small = MemoryBandwidth.defaultArrayBytes(1L << 30); // 1 GiB available: an eighth, 128 MiB
        assertEquals(128L << 20, small);
        long big = MemoryBandwidth.defaultArrayBytes(64L << 30);
        assertTrue(big >= 256L << 20, "at least 256 MiB with plenty of RAM, got " + big);
    }

    @Test
    void datasheetFiguresMatchTheMostSpecificName() {
        assertEquals(3350, GpuBandwidth.nominal("NVIDIA H100 80GB HBM3").orElseThrow().readGBps());
        assertEquals(2000, GpuBandwidth.nominal("NVIDIA H100 PCIe").orElseThrow().readGBps());
        assertEquals(1008, GpuBandwidth.nominal("NVIDIA GeForce RTX 4090").orElseThrow().readGBps());
        assertEquals(1555, GpuBandwidth.nominal("NVIDIA A100-SXM4-40GB").orElseThrow().readGBps());
        assertTrue(GpuBandwidth.nominal("Some Unknown GPU").isEmpty());
    }
}
