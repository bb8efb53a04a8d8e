package io.infernet.hardware.fit;

import io.infernet.hardware.Gpu;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.MemInfo;
import io.infernet.hardware.NodeTier;
import io.infernet.hardware.Units;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Memory a model may use on this node.
 *
 * <ul>
 * <li>GPUs: the VRAM of the GPUs {@link NodeTier} pools (one vendor's, llama.cpp splitting layers
 *     across them); free = their free memory summed, when every one reports it.</li>
 * <li>Unified memory (Apple Silicon): {@link #UNIFIED_GPU_SHARE} of RAM, about what macOS lets the
 *     GPU wire by default; free = the in-process view's free memory when known.</li>
 * <li>CPU: RAM less a reserve for the OS and the node itself, the larger of {@link #RAM_RESERVE_MIN_BYTES}
 *     and {@link #RAM_RESERVE_FRACTION} of RAM; free = MemAvailable.</li>
 * </ul>
 *
 * @param where         what the memory is, for people ("VRAM of NVIDIA GeForce RTX 4090")
 * @param capacityBytes what a model may use when nothing else runs, bytes
 * @param freeBytes     what is free for it now, bytes; empty when unknown
 * @param kind          GPU, unified or RAM
 */
public record MemoryBudget(String where, long capacityBytes, OptionalLong freeBytes, Kind kind) {

    public enum Kind { GPU, UNIFIED, RAM }

    public static final double UNIFIED_GPU_SHARE = 0.75;
    public static final long RAM_RESERVE_MIN_BYTES = 2L * Units.GIB;
    public static final double RAM_RESERVE_FRACTION = 0.10;

    public MemoryBudget {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(freeBytes, "freeBytes");
        Objects.requireNonNull(kind, "kind");
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacityBytes);
        }
    }

    /** The budget of this node: its pooled GPUs when it has any of known memory, else its RAM. */
    public static MemoryBudget forNode(HardwareReport report) {
        NodeTier tier = report.tier();
        if (tier.pooledVendor().isEmpty()) {
            return forRam(report.memory());
        }
        List<Gpu> pool = report.gpus().stream()
                .filter(g -> g.vendor() == tier.pooledVendor().get() && g.vramTotalBytes().isPresent() && g.vramTotalBytes().getAsLong() > 0)
                .toList();
        return forGpus(pool);
    }

    /** GPUs pooled by layer split (all of one vendor, each of known memory). */
    public static MemoryBudget forGpus(List<Gpu> pool) {
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("a GPU budget needs at least one GPU of known memory");
        }
        Gpu first = pool.getFirst();
        if (first.unifiedMemory()) {
            long ram = first.vramTotalBytes().getAsLong();
            long cap = Math.round(ram * UNIFIED_GPU_SHARE);
            OptionalLong free = first.vramFreeBytes().isPresent() ? OptionalLong.of(Math.min(cap, first.vramFreeBytes().getAsLong())) : OptionalLong.empty();
            return new MemoryBudget("unified memory of " + first.model() + " (" + Math.round(UNIFIED_GPU_SHARE * 100) + "% of " + Units.gib(ram) + " GiB RAM)",
                    cap, free, Kind.UNIFIED);
        }
        long cap = 0;
        long free = 0;
        boolean freeKnown = true;
        for (Gpu g : pool) {
            cap += g.vramTotalBytes().getAsLong();
            if (g.vramFreeBytes().isPresent()) {
                free += g.vramFreeBytes().getAsLong();
            } else {
                freeKnown = false;
            }
        }
        String where = pool.size() == 1 ? "VRAM of " + first.model() : "VRAM of " + pool.size() + " GPUs (" + first.model() + (sameModel(pool) ? "" : ", ...") + ")";
        return new MemoryBudget(where, cap, freeKnown ? OptionalLong.of(free) : OptionalLong.empty(), Kind.GPU);
    }

    /** RAM for CPU inference (see the class comment for the reserve). */
    public static MemoryBudget forRam(MemInfo mem) {
        long reserve = Math.max(RAM_RESERVE_MIN_BYTES, Math.round(mem.totalBytes() * RAM_RESERVE_FRACTION));
        long cap = Math.max(0, mem.totalBytes() - reserve);
        return new MemoryBudget("RAM (" + Units.gib1(mem.totalBytes()) + " GiB less a " + Units.gib1(reserve) + " GiB reserve)",
                cap, OptionalLong.of(Math.min(cap, mem.availableBytes())), Kind.RAM);
    }

    private static boolean sameModel(List<Gpu> pool) {
        return pool.stream().map(Gpu::model).distinct().count() == 1;
    }
}
