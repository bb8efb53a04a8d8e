package io.infernet.runtime;

/**
 * A device ggml can compute on, as the loaded backends report it.
 *
 * @param name        ggml's device name ("CPU", "CUDA0", ...)
 * @param description the vendor's words ("NVIDIA H100 80GB HBM3", the CPU model, ...)
 * @param type        cpu, gpu, igpu, accel or meta
 * @param memoryFree  bytes free now (for the CPU: free system memory)
 * @param memoryTotal bytes in all
 * @param backend     the backend registry that owns it ("CPU", "CUDA", "Vulkan", ...)
 */
public record BackendDevice(String name, String description, String type, long memoryFree, long memoryTotal, String backend) {
    public boolean isGpu() {
        return type.equals("gpu") || type.equals("igpu");
    }
}
