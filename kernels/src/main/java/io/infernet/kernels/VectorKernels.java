package io.infernet.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The Vector API kernels: the loops of {@link VectorLoops}, each entered through a
 * {@link MethodHandle} held in a non-final field.
 *
 * <p>Why: C2 compiles Vector API code well only inside a small compilation unit. Inlined into a
 * large caller (a JMH harness loop measured it; an engine loop around the sampler is the same),
 * calls inside the loops are left out of line and every vector crossing them is boxed: top-p went
 * to ~100 us and 786 KB allocated per token over 131072 logits. C2 does not inline through a
 * method handle that is not a constant, so each loop is always its own compilation unit. The
 * boundary costs a few nanoseconds a call and allocates nothing.
 */
final class VectorKernels implements LogitKernels {

    static final VectorKernels INSTANCE = new VectorKernels();

    // Not final on purpose: a constant handle would be inlined. Each is assigned once, here.
    private static MethodHandle max = loop("max", float.class, MemorySegment.class, int.class, int.class);
    private static MethodHandle argmax = loop("argmax", int.class, MemorySegment.class, int.class);
    private static MethodHandle blockMax = loop("blockMax", float.class, MemorySegment.class, int.class, float[].class);
    private static MethodHandle gatherAtLeast = loop("gatherAtLeast", int.class, MemorySegment.class, int.class, int.class,
            float.class, int[].class, float[].class, int.class);
    private static MethodHandle gatherBlocksAtLeast = loop("gatherBlocksAtLeast", int.class, MemorySegment.class,
            int.class, float[].class, float.class, int[].class, float[].class);
    private static MethodHandle expSum = loop("expSum", double.class, MemorySegment.class, int.class, float.class,
            float.class, float.class, float[].class);
    private static MethodHandle gatherExpSum = loop("gatherExpSum", int.class, MemorySegment.class, int.class, float.class,
            float.class, float.class, float.class, int[].class, float[].class, double[].class);
    private static MethodHandle expInto = loop("expInto", double.class, MemorySegment.class, int.class, int.class,
            float.class, float.class, float.class, float[].class);
    private static MethodHandle expSumInto = loop("expSumInto", double.class, MemorySegment.class, int.class, float.class,
            float.class, float[].class);
    private static MethodHandle gatherBand = loop("gatherBand", int.class, MemorySegment.class, float[].class, int.class,
            float.class, float.class, int.class, int[].class, float[].class, float[].class, double[].class);
    private static MethodHandle exp = loop("exp", double.class, float[].class, int.class, float.class, float.class,
            float[].class);
    private static MethodHandle countAtLeast = loop("countAtLeast", int.class, float[].class, int.class, float.class);
    private static MethodHandle sumAtLeast = loop("sumAtLeast", double.class, float[].class, float[].class, int.class,
            float.class);
    private static MethodHandle keepRanked = loop("keepRanked", int.class, int[].class, float[].class, float[].class,
            int.class, float.class, int.class);
    private static MethodHandle searchCumulative = loop("searchCumulative", int.class, float[].class, int.class,
            double.class);

    private VectorKernels() {
    }

    @Override
    public String name() {
        return "vector-" + VectorLoops.SPECIES.vectorBitSize();
    }

    @Override
    public float max(MemorySegment x, int n) {
        try {
            return (float) max.invokeExact(x, 0, n);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int argmax(MemorySegment x, int n) {
        try {
            return (int) argmax.invokeExact(x, n);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public float blockMax(MemorySegment x, int n, float[] out) {
        try {
            return (float) blockMax.invokeExact(x, n, out);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int gatherAtLeast(MemorySegment x, int from, int to, float threshold, int[] ids, float[] vals, int count) {
        try {
            return (int) gatherAtLeast.invokeExact(x, from, to, threshold, ids, vals, count);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int gatherBlocksAtLeast(MemorySegment x, int n, float[] blockMax, float threshold, int[] ids, float[] vals) {
        try {
            return (int) gatherBlocksAtLeast.invokeExact(x, n, blockMax, threshold, ids, vals);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public double expSum(MemorySegment x, int n, float max, float scale, float threshold, float[] chunkSums) {
        try {
            return (double) expSum.invokeExact(x, n, max, scale, threshold, chunkSums);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int gatherExpSum(MemorySegment x, int n, float max, float scale, float threshold, float gatherThreshold,
            int[] ids, float[] vals, double[] sum) {
        try {
            return (int) gatherExpSum.invokeExact(x, n, max, scale, threshold, gatherThreshold, ids, vals, sum);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public double expInto(MemorySegment x, int from, int to, float max, float scale, float threshold, float[] out) {
        try {
            return (double) expInto.invokeExact(x, from, to, max, scale, threshold, out);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public double expSumInto(MemorySegment x, int n, float max, float threshold, float[] out) {
        try {
            return (double) expSumInto.invokeExact(x, n, max, threshold, out);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int gatherBand(MemorySegment x, float[] w, int n, float lo, float hi, int limit, int[] ids, float[] vals,
            float[] weights, double[] out) {
        try {
            return (int) gatherBand.invokeExact(x, w, n, lo, hi, limit, ids, vals, weights, out);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public double exp(float[] vals, int n, float max, float scale, float[] out) {
        try {
            return (double) exp.invokeExact(vals, n, max, scale, out);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int countAtLeast(float[] x, int n, float threshold) {
        try {
            return (int) countAtLeast.invokeExact(x, n, threshold);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public double sumAtLeast(float[] keys, float[] weights, int n, float threshold) {
        try {
            return (double) sumAtLeast.invokeExact(keys, weights, n, threshold);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int keepRanked(int[] ids, float[] vals, float[] weights, int n, float boundary, int lastTie) {
        try {
            return (int) keepRanked.invokeExact(ids, vals, weights, n, boundary, lastTie);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int searchCumulative(float[] weights, int n, double target) {
        try {
            return (int) searchCumulative.invokeExact(weights, n, target);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    private static MethodHandle loop(String name, Class<?> returns, Class<?>... parameters) {
        try {
            return MethodHandles.lookup().findStatic(VectorLoops.class, name, MethodType.methodType(returns, parameters));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The loops throw only unchecked exceptions (bounds, a closed segment's arena): pass them on as they are. */
    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException e ? e : new IllegalStateException(t);
    }
}
