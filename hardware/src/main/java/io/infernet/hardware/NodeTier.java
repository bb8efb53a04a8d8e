package io.infernet.hardware;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The node's user tier, and the decision behind it.
 *
 * <p>On the wire every GPU carries its own {@link WireTier}; nothing is summed there. The user
 * tier answers "what can this node run", and llama.cpp, which this node runs, splits a model's
 * layers across all GPUs of one backend; so the tier is taken from the <b>pooled VRAM of one
 * vendor's GPUs</b> (the vendor with the most), not from the largest card alone. Two 40 GB A100s
 * are {@code >=48gb}: a 70B model at Q4 (about 40 GiB) fits across them. GPUs of different
 * vendors are never pooled (different backends), and GPUs of unknown memory (lspci) count for
 * nothing. The largest single GPU's tier is kept too, for people: throughput per card is what the
 * seed's throughput lines describe.
 *
 * @param userTier      the node's tier, from {@code pooledBytes}
 * @param pooledVendor  the vendor whose GPUs were pooled; empty for a CPU node
 * @param pooledGpus    how many GPUs were pooled
 * @param pooledBytes   their VRAM summed, bytes (0 for a CPU node)
 * @param largestGpu    the GPU with the most VRAM
 * @param largestTier   the tier that GPU alone would give
 */
public record NodeTier(UserTier userTier, Optional<GpuVendor> pooledVendor, int pooledGpus, long pooledBytes,
                       Optional<Gpu> largestGpu, UserTier largestTier) {

    public NodeTier {
        Objects.requireNonNull(userTier, "userTier");
        Objects.requireNonNull(pooledVendor, "pooledVendor");
        Objects.requireNonNull(largestGpu, "largestGpu");
        Objects.requireNonNull(largestTier, "largestTier");
    }

    /** Decides the tier of a node with these GPUs (see the class comment). */
    public static NodeTier of(List<Gpu> gpus) {
        Map<GpuVendor, List<Gpu>> byVendor = new EnumMap<>(GpuVendor.class);
        Gpu largest = null;
        for (Gpu g : gpus) {
            if (g.vramTotalBytes().isEmpty() || g.vramTotalBytes().getAsLong() <= 0) {
                continue;
            }
            byVendor.computeIfAbsent(g.vendor(), v -> new ArrayList<>()).add(g);
            if (largest == null || g.vramTotalBytes().getAsLong() > largest.vramTotalBytes().getAsLong()) {
                largest = g;
            }
        }
        if (largest == null) {
            return new NodeTier(UserTier.CPU, Optional.empty(), 0, 0, Optional.empty(), UserTier.CPU);
        }
        GpuVendor best = null;
        long bestBytes = -1;
        for (Map.Entry<GpuVendor, List<Gpu>> e : byVendor.entrySet()) {
            long sum = e.getValue().stream().mapToLong(g -> g.vramTotalBytes().getAsLong()).sum();
            if (sum > bestBytes) {
                best = e.getKey();
                bestBytes = sum;
            }
        }
        return new NodeTier(UserTier.forVram(OptionalLong.of(bestBytes)), Optional.of(best), byVendor.get(best).size(), bestBytes,
                Optional.of(largest), UserTier.forVram(largest.vramTotalBytes()));
    }

    /** One line for people: "&gt;=48gb (Flagship): 2 NVIDIA GPUs pooled, 80 GiB of VRAM (largest GPU alone: &gt;=24gb)". */
    public String explain() {
        if (pooledVendor.isEmpty()) {
            return userTier.heading() + ": no GPU with known memory";
        }
        String vendor = pooledVendor.get().display();
        String pool = pooledGpus == 1 ? "1 " + vendor + " GPU" : pooledGpus + " " + vendor + " GPUs pooled";
        String s = userTier.heading() + ": " + pool + ", " + Units.gib(pooledBytes) + " GiB of "
                + (largestGpu.get().unifiedMemory() ? "unified memory" : "VRAM");
        return pooledGpus > 1 ? s + " (largest GPU alone: " + largestTier.id() + ")" : s;
    }
}
