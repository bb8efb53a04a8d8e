package io.infernet.engines.vllm;

/**
 * The fabrics NCCL can use on this machine: what the vLLM launcher needs to know of the
 * interconnects the hardware module detects (the CLI fills it in from them).
 *
 * @param nvlink          NVLink between this machine's GPUs
 * @param infiniband      an active InfiniBand (or RoCE) port
 * @param efa             an AWS Elastic Fabric Adapter
 * @param socketInterface the network interface for NCCL's and Gloo's TCP traffic (e.g.
 *                        {@code eth0}, {@code ens5}), or null to let them choose
 */
public record NcclFabrics(boolean nvlink, boolean infiniband, boolean efa, String socketInterface) {

    public static final NcclFabrics NONE = new NcclFabrics(false, false, false, null);

    public NcclFabrics {
        if (socketInterface != null) {
            socketInterface = socketInterface.strip();
            if (socketInterface.isEmpty()) {
                socketInterface = null;
            } else if (!socketInterface.matches("[\\^=]?[A-Za-z0-9_.:,-]+")) {
                throw new IllegalArgumentException("not a network interface name (or NCCL interface list): '" + socketInterface + "'");
            }
        }
    }
}
