package io.infernet.runtime;

import java.util.Objects;

/**
 * A device ggml can compute on, as the loaded backends enumerate it ({@code ggml_backend_dev_*}).
 *
 * @param name        backend device name, e.g. {@code CUDA0}, {@code ROCm0}, {@code Metal}, {@code Vulkan0}, {@code CPU}
 * @param description what the backend says the device is, e.g. {@code NVIDIA GeForce RTX 4090}, the CPU model
 * @param type        the ggml device type
 * @param freeBytes   memory free now, bytes ({@code ggml_backend_dev_memory}; for the CPU, free system memory)
 * @param totalBytes  memory in all, bytes
 * @param backend     the backend registry that owns it ({@code CPU}, {@code CUDA}, {@code Vulkan}, ...); "" if unknown
 */
public record BackendDevice(String name, String description, Type type, long freeBytes, long totalBytes, String backend) {

    /**
     * {@code GGML_BACKEND_DEVICE_TYPE_*}: CPU, a discrete GPU, an integrated GPU sharing host
     * memory, an accelerator (BLAS, ...), or a meta device (several devices as one).
     */
    public enum Type {
        CPU, GPU, IGPU, ACCEL, META;

        /** The type for ggml's enum value; unknown values count as accelerators. */
        public static Type of(int ggmlType) {
            return switch (ggmlType) {
                case 0 -> CPU;
                case 1 -> GPU;
                case 2 -> IGPU;
                case 4 -> META;
                default -> ACCEL;
            };
        }
    }

    public BackendDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description.strip();
        backend = backend == null ? "" : backend;
        freeBytes = Math.max(0, freeBytes);
        totalBytes = Math.max(0, totalBytes);
    }

    /** A GPU of either kind. */
    public boolean isGpu() {
        return type == Type.GPU || type == Type.IGPU;
    }
}
