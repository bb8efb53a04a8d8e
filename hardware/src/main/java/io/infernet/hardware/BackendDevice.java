package io.infernet.hardware;

import java.util.Objects;

/**
 * One device as the in-process runtime's ggml backends enumerate it ({@code ggml_backend_dev_*}).
 *
 * @param name        backend device name, e.g. {@code CUDA0}, {@code ROCm0}, {@code Metal}, {@code Vulkan0}, {@code CPU}
 * @param description what the backend says the device is, e.g. {@code NVIDIA GeForce RTX 4090}
 * @param type        the ggml device type
 * @param freeBytes   memory free now, bytes ({@code ggml_backend_dev_memory})
 * @param totalBytes  memory in all, bytes
 */
public record BackendDevice(String name, String description, Type type, long freeBytes, long totalBytes) {

    /** {@code GGML_BACKEND_DEVICE_TYPE_*}: CPU, a discrete GPU, an integrated GPU sharing host memory, or an accelerator (BLAS, ...). */
    public enum Type { CPU, GPU, IGPU, ACCEL }

    public BackendDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description.strip();
        if (freeBytes < 0 || totalBytes < 0) {
            throw new IllegalArgumentException("device " + name + ": memory must be >= 0, got free=" + freeBytes + " total=" + totalBytes);
        }
    }

    /** A GPU of either kind. */
    public boolean isGpu() {
        return type == Type.GPU || type == Type.IGPU;
    }

    /** The vendor, guessed from the description, else from the backend name ({@code CUDA} is NVIDIA, {@code Metal} Apple). */
    public GpuVendor vendor() {
        GpuVendor v = GpuVendor.guess(description);
        return v != GpuVendor.UNKNOWN ? v : GpuVendor.guess(name);
    }
}
