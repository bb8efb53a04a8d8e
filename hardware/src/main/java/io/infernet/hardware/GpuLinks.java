package io.infernet.hardware;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A GPU-to-GPU fabric on this host (NVLink or AMD xGMI), in the heartbeat's words.
 *
 * @param available   at least one pair of GPUs is directly linked
 * @param topology    {@code all-to-all} (every pair of the linked GPUs is linked), {@code pair}
 *                    (exactly two GPUs linked), {@code mesh} (more than two GPUs, not every pair),
 *                    or {@code none}: the existing JavaScript node's vocabulary
 * @param gpuPairs    distinct GPU pairs with a direct link; this is the heartbeat's
 *                    {@code link_count}, counted as the JavaScript node counts it (an 8-GPU NVSwitch
 *                    system has 28)
 * @param activeLinks physical links up, summed over GPUs, when the tool can tell
 *                    ({@code nvidia-smi nvlink --status}: 18 per H100 SXM); shown locally, not sent
 */
public record GpuLinks(boolean available, String topology, int gpuPairs, OptionalInt activeLinks) {

    public static final GpuLinks NONE = new GpuLinks(false, "none", 0, OptionalInt.empty());

    public GpuLinks {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(activeLinks, "activeLinks");
        if (gpuPairs < 0) {
            throw new IllegalArgumentException("gpuPairs must be >= 0, got " + gpuPairs);
        }
    }

    /** An unordered pair of GPU indices, {@code low < high}. */
    public record Pair(int low, int high) implements Comparable<Pair> {
        public Pair {
            if (low < 0 || low >= high) {
                throw new IllegalArgumentException("a GPU pair needs 0 <= low < high, got " + low + "," + high);
            }
        }

        public static Pair of(int a, int b) {
            return new Pair(Math.min(a, b), Math.max(a, b));
        }

        @Override
        public int compareTo(Pair o) {
            return low != o.low ? Integer.compare(low, o.low) : Integer.compare(high, o.high);
        }
    }

    /** Classifies a set of directly linked pairs (see {@link #topology()}). */
    public static GpuLinks of(Set<Pair> pairs, OptionalInt activeLinks) {
        if (pairs.isEmpty()) {
            return new GpuLinks(false, "none", 0, activeLinks);
        }
        Set<Integer> gpus = new TreeSet<>();
        for (Pair p : pairs) {
            gpus.add(p.low());
            gpus.add(p.high());
        }
        int n = gpus.size();
        String topology;
        if (n == 2) {
            topology = "pair";
        } else if (pairs.size() >= n * (n - 1) / 2) {
            topology = "all-to-all";
        } else {
            topology = "mesh";
        }
        return new GpuLinks(true, topology, pairs.size(), activeLinks);
    }
}
