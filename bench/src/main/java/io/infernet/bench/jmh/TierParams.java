package io.infernet.bench.jmh;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The JMH parameters of a benchmark state that runs a tier's model: the tier ({@link TierModel#open})
 * and the CPU threads ({@link TierModel#threads}: 0 means the physical cores). JMH reads
 * {@code @Param} fields from a state's superclasses (which must be states themselves).
 */
@State(Scope.Benchmark)
public abstract class TierParams {
    @Param({"demo"})
    public String tier;
    @Param({"0"})
    public int threads;
}
