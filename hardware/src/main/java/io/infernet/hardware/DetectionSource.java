package io.infernet.hardware;

/** Where a GPU was seen. {@link #id()} is the name shown by {@code infernet gpu} and in its JSON. */
public enum DetectionSource {
    /** {@code nvidia-smi}: model, VRAM total/free, utilization, PCI bus, driver; NVLink from {@code topo -m}. */
    NVIDIA("nvidia"),
    /** {@code rocm-smi --json}: model, VRAM total/used, utilization; xGMI from {@code --showtopotype}. */
    AMD("amd"),
    /** {@code system_profiler SPDisplaysDataType -json} on macOS (Apple Silicon: unified memory). */
    APPLE("apple"),
    /** {@code lspci -nn}: model only, VRAM unknown; used for GPUs no vendor tool reported. */
    LSPCI("lspci"),
    /** The ggml backends of the in-process runtime ({@link BackendDeviceSource}). */
    IN_PROCESS("in-process");

    private final String id;

    DetectionSource(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
