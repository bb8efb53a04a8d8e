package io.infernet.engines.vllm;

import java.util.ArrayList;
import java.util.List;

/**
 * The NCCL and libfabric variables that tell vLLM's collectives which fabric to use. A variable
 * already set in the node's own environment is left alone (see {@link LaunchPlan#childEnvironment}),
 * so an operator's tuning always wins over these defaults.
 */
public final class InterconnectEnvironment {
    private InterconnectEnvironment() {}

    /**
     * @param multiNode whether collectives cross machines (Ray head or worker)
     * @param gpus      GPUs on this machine the model spans (tensor x pipeline parallel)
     */
    public static List<EnvVar> of(NcclFabrics ic, boolean multiNode, int gpus) {
        List<EnvVar> v = new ArrayList<>();
        if (ic.nvlink() && gpus > 1) {
            v.add(EnvVar.of("NCCL_P2P_DISABLE", "0",
                    "GPU-to-GPU copies go peer to peer over NVLink (some images turn P2P off for PCIe-only cards)"));
        }
        if (multiNode) {
            if (ic.infiniband()) {
                v.add(EnvVar.of("NCCL_IB_DISABLE", "0", "NCCL uses the InfiniBand/RoCE verbs transport between machines"));
                v.add(EnvVar.of("NCCL_NET_GDR_LEVEL", "PHB",
                        "GPUDirect RDMA: the NIC reads and writes GPU memory directly when GPU and NIC share a PCIe host bridge"));
            }
            if (ic.efa()) {
                v.add(EnvVar.of("FI_PROVIDER", "efa", "libfabric (under the aws-ofi-nccl plugin) uses the Elastic Fabric Adapter"));
                v.add(EnvVar.of("FI_EFA_USE_DEVICE_RDMA", "1", "EFA moves GPU memory with device RDMA (GPUDirect on p4d/p5)"));
                v.add(EnvVar.of("FI_EFA_FORK_SAFE", "1",
                        "vLLM and Ray fork worker processes after memory is registered; libfabric must allow that"));
            }
            if (!ic.infiniband() && !ic.efa()) {
                v.add(EnvVar.of("NCCL_IB_DISABLE", "1",
                        "no RDMA fabric here: NCCL goes over TCP sockets instead of probing verbs devices that cannot carry it"));
            }
        }
        if (ic.socketInterface() != null) {
            v.add(EnvVar.of("NCCL_SOCKET_IFNAME", ic.socketInterface(), "the interface NCCL's bootstrap and socket traffic use"));
            v.add(EnvVar.of("GLOO_SOCKET_IFNAME", ic.socketInterface(),
                    "the interface torch.distributed's Gloo groups (vLLM's CPU-side collectives) use; the same one as NCCL"));
        }
        return v;
    }
}
