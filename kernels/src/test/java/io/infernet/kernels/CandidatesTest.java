package io.infernet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class CandidatesTest {

    @Test
    void orderedIntsSortLikeTheFloats() {
        float[] floats = {Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -1e30f, -2f, -1f, -Float.MIN_NORMAL, -Float.MIN_VALUE,
                0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1f, 2f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (int i = 0; i + 1 < floats.length; i++) {
            assertTrue(Candidates.ordered(floats[i]) < Candidates.ordered(floats[i + 1]), floats[i] + " < " + floats[i + 1]);
        }
        for (float f : floats) {
            assertEquals(f, Candidates.unordered(Candidates.ordered(f)), 0f);
        }
        assertEquals(Candidates.ordered(0f), Candidates.ordered(-0f), "-0.0 ranks as 0.0");
    }

    @Test
    void thresholdFindsTheKthLargestAndTheMassBoundary() {
        float[] keys = {3f, 1f, 4f, 1f, 5f, 9f, 2f, 6f};
        for (LogitKernels k : new LogitKernels[] {LogitKernels.scalar(), LogitKernels.vector()}) {
            float lo = Float.NEGATIVE_INFINITY;
            assertEquals(9f, Candidates.threshold(k, keys, null, 8, 1, lo, 9f), 0f);
            assertEquals(5f, Candidates.threshold(k, keys, null, 8, 3, lo, 9f), 0f);
            assertEquals(1f, Candidates.threshold(k, keys, null, 8, 7, lo, 9f), 0f, "ties: both 1s reach 7 and 8");
            assertEquals(1f, Candidates.threshold(k, keys, null, 8, 8, lo, 9f), 0f);
            float[] w = new float[8];
            Arrays.fill(w, 1f);
            w[5] = 10f; // the 9
            assertEquals(9f, Candidates.threshold(k, keys, w, 8, 10, lo, 9f), 0f);
            assertEquals(6f, Candidates.threshold(k, keys, w, 8, 10.5, lo, 9f), 0f);
        }
    }

    @Test
    void keepBestAndKeepMassCutExactlyAndKeepIdOrder() {
        var c = new Candidates(8, LogitKernels.vector());
        float[] vals = {2f, 7f, 7f, 1f, 7f, 3f};
        for (int i = 0; i < vals.length; i++) {
            c.ids[i] = 10 + i;
            c.vals[i] = vals[i];
            c.weights[i] = 1f;
        }
        c.size = vals.length;
        c.keepBest(4, 1f, 7f);
        assertEquals(4, c.size);
        assertEquals("[11, 12, 14, 15]", Arrays.toString(Arrays.copyOf(c.ids, 4)), "three 7s then the 3, in id order");
        c.keepMass(2.5, 1f, 7f);
        assertEquals("[11, 12, 14]", Arrays.toString(Arrays.copyOf(c.ids, c.size)), "2.5 needs three of the tied 7s");
        c.keepMass(1.5, 1f, 7f);
        assertEquals("[11, 12]", Arrays.toString(Arrays.copyOf(c.ids, c.size)), "ties go to the lower ids");
        c.keepAtLeast(8f);
        assertEquals(0, c.size);
    }
}
