package io.infernet.node.protocol.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The machine's part of the heartbeat {@code specs}. The daemon adds what only it knows
 * ({@code served_models}, {@code load.active_jobs}, {@code load.concurrency_cap},
 * {@code load.measured_at}, {@code bench}, {@code workload_classes}).
 *
 * <p>{@link BasicSpecsProvider} reports CPU and RAM only; a provider backed by real GPU
 * detection (io.infernet.hardware) replaces it. Implementations are thread-safe and may
 * cache what does not change.
 */
public interface SpecsProvider {

    /**
     * {@code cpu {vendor, arch, cores, groups, ram_gb}}, {@code gpu_count},
     * {@code gpus [{vendor, vram_tier, model}]} (wire VRAM tiers, never exact VRAM; model at most
     * 64 characters), {@code interconnects {nvlink {available, topology, link_count}, xgmi {..},
     * infiniband {available, active_port_count}, efa {available, adapter_count}, rdma_capable}}.
     */
    ObjectNode hardware();

    /**
     * Measured now: {@code load_avg_1m}, {@code ram {total_gb, free_gb}},
     * {@code vram {total_gb, free_gb}}, {@code gpu_utilization_max} (percent, 0..100).
     */
    ObjectNode load();
}
