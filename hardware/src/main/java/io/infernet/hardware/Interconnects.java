package io.infernet.hardware;

import java.util.List;
import java.util.Objects;

/**
 * Fabrics between GPUs and between hosts, as the heartbeat's {@code interconnects} object carries them.
 *
 * @param nvlink      NVLink between NVIDIA GPUs (from {@code nvidia-smi topo -m})
 * @param xgmi        xGMI (Infinity Fabric) between AMD GPUs (from {@code rocm-smi --showtopotype})
 * @param infiniband  InfiniBand ports under {@code /sys/class/infiniband}, EFA and RoCE excluded
 * @param efa         AWS Elastic Fabric Adapters
 * @param roceActivePorts active RDMA ports whose link layer is Ethernet (RoCE): counted for
 *                    {@code rdma_capable}, not as InfiniBand
 * @param rdmaCapable any active InfiniBand or RoCE port, or any EFA adapter
 * @param notes       problems met while looking, for people
 */
public record Interconnects(GpuLinks nvlink, GpuLinks xgmi, InfiniBand infiniband, Efa efa, int roceActivePorts,
                            boolean rdmaCapable, List<String> notes) {

    public Interconnects {
        Objects.requireNonNull(nvlink, "nvlink");
        Objects.requireNonNull(xgmi, "xgmi");
        Objects.requireNonNull(infiniband, "infiniband");
        Objects.requireNonNull(efa, "efa");
        notes = List.copyOf(notes);
    }

    /**
     * @param activePortCount ports in state ACTIVE
     * @param devices         HCA names seen (e.g. {@code mlx5_0}), active or not; local only
     */
    public record InfiniBand(int activePortCount, List<String> devices) {
        public InfiniBand {
            devices = List.copyOf(devices);
        }

        /** At least one port is ACTIVE (the existing node's rule). */
        public boolean available() {
            return activePortCount > 0;
        }
    }

    /** @param devices EFA device names (e.g. {@code rdmap16s27}, {@code efa_0}); local only */
    public record Efa(List<String> devices) {
        public Efa {
            devices = List.copyOf(devices);
        }

        public int adapterCount() {
            return devices.size();
        }

        public boolean available() {
            return !devices.isEmpty();
        }
    }
}
