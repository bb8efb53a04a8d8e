package io.infernet.bench.compare;

import io.infernet.bench.inproc.ProbeResult;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One round of an interleaved comparison: every variant once, back to back.
 *
 * @param index    0-based
 * @param order    variant ids in the order they ran (alternating between rounds, so drift of the machine
 *                 does not favour one side)
 * @param nativePp llama-bench's pp {@code avg_ts}, tokens/s; empty without llama-bench
 * @param nativeTg llama-bench's tg {@code avg_ts}, tokens/s
 * @param ours     each in-process variant's result by id
 * @param loadAvg1m the 1-minute load average when the round started (other work on the machine shows here)
 */
public record Round(int index, List<String> order, OptionalDouble nativePp, OptionalDouble nativeTg, Map<String, ProbeResult> ours,
                    OptionalDouble loadAvg1m) {
    public Round {
        Objects.requireNonNull(loadAvg1m, "loadAvg1m");
        order = List.copyOf(order);
        Objects.requireNonNull(nativePp, "nativePp");
        Objects.requireNonNull(nativeTg, "nativeTg");
        ours = Map.copyOf(ours);
    }
}
