package io.infernet.bench.tier;

import io.infernet.hardware.Gpu;
import io.infernet.hardware.GpuVendor;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.NodeTier;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The parts of the hardware that decide which tiers run; tests build these by hand.
 *
 * @param physicalCores     cores, not hardware threads
 * @param ramTotalBytes     RAM the kernel manages
 * @param ramAvailableBytes RAM a new process can get now ({@code MemAvailable})
 * @param gpu               the GPUs llama.cpp would split a model across (one vendor's), if any
 */
public record MachineFacts(int physicalCores, long ramTotalBytes, long ramAvailableBytes, Optional<GpuPool> gpu) {

    public MachineFacts {
        Objects.requireNonNull(gpu, "gpu");
        if (physicalCores < 1 || ramTotalBytes <= 0 || ramAvailableBytes < 0) {
            throw new IllegalArgumentException("implausible machine: " + physicalCores + " cores, " + ramTotalBytes + " bytes of RAM");
        }
    }

    /**
     * GPUs of one vendor pooled by llama.cpp's layer split.
     *
     * @param description for people ("NVIDIA H100 80GB HBM3", "2 x NVIDIA A100")
     * @param vendor      who made them (decides the llama.cpp backend)
     * @param totalBytes  VRAM summed
     * @param freeBytes   free VRAM summed, when every GPU reports it
     */
    public record GpuPool(String description, GpuVendor vendor, long totalBytes, OptionalLong freeBytes) {
        public GpuPool {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(vendor, "vendor");
            Objects.requireNonNull(freeBytes, "freeBytes");
            if (totalBytes <= 0) {
                throw new IllegalArgumentException("GPU pool " + description + " must have VRAM > 0");
            }
        }

        /** Free VRAM, or all of it when the driver does not say. */
        public long budgetBytes() {
            return freeBytes.orElse(totalBytes);
        }
    }

    /** The facts of a detected machine: its node tier's pooled GPUs, its RAM. */
    public static MachineFacts of(HardwareReport report) {
        NodeTier tier = report.tier();
        Optional<GpuPool> pool = Optional.empty();
        if (tier.pooledVendor().isPresent()) {
            GpuVendor vendor = tier.pooledVendor().get();
            List<Gpu> gpus = report.gpus().stream()
                    .filter(g -> g.vendor() == vendor && g.vramTotalBytes().isPresent() && g.vramTotalBytes().getAsLong() > 0).toList();
            long free = 0;
            boolean known = true;
            for (Gpu g : gpus) {
                if (g.vramFreeBytes().isPresent()) {
                    free += g.vramFreeBytes().getAsLong();
                } else {
                    known = false;
                }
            }
            String desc = gpus.size() == 1 ? gpus.getFirst().model() : gpus.size() + " x " + gpus.getFirst().model();
            pool = Optional.of(new GpuPool(desc, vendor, tier.pooledBytes(), known ? OptionalLong.of(free) : OptionalLong.empty()));
        }
        return new MachineFacts(report.cpu().physicalCores(), report.memory().totalBytes(), report.memory().availableBytes(), pool);
    }
}
