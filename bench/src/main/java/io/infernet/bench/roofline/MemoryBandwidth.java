package io.infernet.bench.roofline;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import io.infernet.bench.stats.Summary;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's memory bandwidth the way STREAM does, in Java: {@code threads} platform
 * threads each stream their slice of arrays in native memory (first touched by the thread that
 * reads it), the best of {@code reps} passes counts. Two kernels: a read (a sum, what decoding does
 * to the weights) and the triad {@code a = b + s*c}. Arrays are at least 4 times the last-level
 * cache so the cache does not flatter the figure. The best pass is the figure (STREAM's
 * convention: the machine can do at least that); the median is kept in the description, since a
 * shared machine's figure varies from pass to pass.
 *
 * <p>Uses the Vector API: needs {@code --add-modules jdk.incubator.vector} (set by the launcher).
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long MIB = 1L << 20;

    /** Sink for the read kernel's sums, so the JIT keeps the loads. */
    private static volatile float sink;

    /** Bytes per array: 4 x the last-level cache, at least 256 MiB, at most an eighth of available RAM. */
    public static long defaultArrayBytes(long ramAvailableBytes) {
        long llc = lastLevelCacheBytes().orElse(32 * MIB);
        long want = Math.max(256 * MIB, 4 * llc);
        long cap = Math.max(64 * MIB, ramAvailableBytes / 8);
        return Math.min(want, cap) / MIB * MIB;
    }

    /** The largest cache of CPU 0 from sysfs (Linux), if readable. */
    public static java.util.OptionalLong lastLevelCacheBytes() {
        long best = -1;
        for (int i = 0; i < 8; i++) {
            Path size = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i + "/size");
            try {
                if (Files.isReadable(size)) {
                    long v = parseCacheSize(Files.readString(size));
                    best = Math.max(best, v);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // unreadable: try the next
            }
        }
        return best > 0 ? java.util.OptionalLong.of(best) : java.util.OptionalLong.empty();
    }

    /** sysfs's cache size: {@code 32768K}, {@code 1M}, or bytes. */
    static long parseCacheSize(String s) {
        String t = s.strip().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1024;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("M")) {
            mult = MIB;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    /** Measures with {@code threads} threads over arrays of {@code arrayBytes}, best of {@code reps}. */
    public static Bandwidth measure(int threads, long arrayBytes, int reps) {
        if (threads < 1 || reps < 1) {
            throw new IllegalArgumentException("threads and reps must be >= 1");
        }
        long floats = arrayBytes / Float.BYTES / ((long) threads * S.length()) * ((long) threads * S.length());
        if (floats < (long) threads * S.length()) {
            throw new IllegalArgumentException("arrays of " + arrayBytes + " bytes are too small for " + threads + " threads");
        }
        long bytes = floats * Float.BYTES;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(bytes, 64);
            MemorySegment b = arena.allocate(bytes, 64);
            MemorySegment c = arena.allocate(bytes, 64);
            long slice = bytes / threads;
            double[] reads = new double[reps];
            double[] triads = new double[reps];
            Team team = new Team(threads);
            try {
                team.run(t -> fill(a, b, c, t * slice, slice));
                warmUp(a, b, c);
                for (int r = 0; r < reps + 1; r++) { // the first pass warms up and is not counted
                    double read = team.run(t -> read(b, t * slice, slice));
                    double triad = team.run(t -> triad(a, b, c, t * slice, slice));
                    if (r > 0) {
                        reads[r - 1] = bytes / read / 1e9;
                        triads[r - 1] = 3.0 * bytes / triad / 1e9;
                    }
                }
            } finally {
                team.close();
            }
            Summary read = Summary.of(reads);
            return new Bandwidth(read.max(), Summary.of(triads).max(), bytes, threads,
                    String.format(java.util.Locale.ROOT, "Java STREAM-like (Vector API %d-bit), %d threads, arrays of %d MiB, best of %d "
                            + "(read median %.1f, min %.1f GB/s)", S.vectorBitSize(), threads, bytes / MIB, reps, read.median(), read.min()));
        }
    }

    /**
     * Runs both kernels often over a small, cached slice so the JIT compiles them fully before a
     * timed pass (one long first pass gets an on-stack-replaced compilation that is then thrown
     * away, and the Vector API is very slow until compiled).
     */
    private static void warmUp(MemorySegment a, MemorySegment b, MemorySegment c) {
        long len = Math.min(a.byteSize(), 64 * 1024);
        for (int i = 0; i < 20_000; i++) {
            read(b, 0, len);
            triad(a, b, c, 0, len);
        }
    }

    /**
     * Fills with values that differ from element to element: pages of identical content can be
     * merged by the host (KSM and the like, common under virtual machines), and reads of merged
     * pages hit the cache, which inflated the read figure several times over in a test.
     */
    private static void fill(MemorySegment a, MemorySegment b, MemorySegment c, long from, long len) {
        long x = 0x9E3779B97F4A7C15L * (from + 1);
        for (long o = from; o < from + len; o += Float.BYTES) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            float v = (x >>> 40) * 0x1p-24f;
            a.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, o, v);
            b.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, o, v + 1f);
            c.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, o, v + 2f);
        }
    }

    private static void read(MemorySegment b, long from, long len) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        long step = S.vectorByteSize();
        long end = from + len;
        long o = from;
        for (; o + 4 * step <= end; o += 4 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(S, b, o, ByteOrder.nativeOrder()));
            s1 = s1.add(FloatVector.fromMemorySegment(S, b, o + step, ByteOrder.nativeOrder()));
            s2 = s2.add(FloatVector.fromMemorySegment(S, b, o + 2 * step, ByteOrder.nativeOrder()));
            s3 = s3.add(FloatVector.fromMemorySegment(S, b, o + 3 * step, ByteOrder.nativeOrder()));
        }
        for (; o + step <= end; o += step) {
            s0 = s0.add(FloatVector.fromMemorySegment(S, b, o, ByteOrder.nativeOrder()));
        }
        sink = s0.add(s1).add(s2).add(s3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private static void triad(MemorySegment a, MemorySegment b, MemorySegment c, long from, long len) {
        long step = S.vectorByteSize();
        for (long o = from; o + step <= from + len; o += step) {
            FloatVector vb = FloatVector.fromMemorySegment(S, b, o, ByteOrder.nativeOrder());
            FloatVector vc = FloatVector.fromMemorySegment(S, c, o, ByteOrder.nativeOrder());
            vc.mul(3f).add(vb).intoMemorySegment(a, o, ByteOrder.nativeOrder());
        }
    }

    /**
     * A fixed team of platform threads that run one task together. The time of a pass is taken
     * by the workers themselves, from the earliest start to the latest end: the coordinating
     * thread is one thread more than there are cores and may not get a core until the workers are
     * nearly done, so its own clock would make a pass look far shorter than it was.
     */
    private static final class Team implements AutoCloseable {
        private final CyclicBarrier start;
        private final CyclicBarrier end;
        private final List<Thread> threads = new ArrayList<>();
        private final long[] began;
        private final long[] ended;
        private volatile java.util.function.IntConsumer task;
        private volatile boolean closed;
        private volatile Throwable failure;

        Team(int size) {
            this.start = new CyclicBarrier(size + 1);
            this.end = new CyclicBarrier(size + 1);
            this.began = new long[size];
            this.ended = new long[size];
            for (int i = 0; i < size; i++) {
                int id = i;
                threads.add(Thread.ofPlatform().daemon().name("bandwidth-" + i).start(() -> loop(id)));
            }
        }

        private void loop(int id) {
            try {
                while (true) {
                    start.await();
                    if (closed) {
                        return;
                    }
                    try {
                        began[id] = System.nanoTime();
                        task.accept(id);
                        ended[id] = System.nanoTime();
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                    end.await(); // publishes began/ended to the coordinator
                }
            } catch (InterruptedException | BrokenBarrierException e) {
                // closing
            }
        }

        /** Runs {@code t} on every worker; returns seconds from the first start to the last end. */
        double run(java.util.function.IntConsumer t) {
            task = t;
            try {
                start.await();
                end.await();
                if (failure != null) {
                    throw new IllegalStateException("bandwidth kernel failed: " + failure, failure);
                }
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (int i = 0; i < began.length; i++) {
                    first = Math.min(first, began[i]);
                    last = Math.max(last, ended[i]);
                }
                return (last - first) / 1e9;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring bandwidth", e);
            } catch (BrokenBarrierException e) {
                throw new IllegalStateException("bandwidth threads failed", e);
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                start.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                threads.forEach(Thread::interrupt);
            }
        }
    }
}
