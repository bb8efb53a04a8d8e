package io.infernet.hardware;

import io.infernet.natives.Progress;
import io.infernet.runtime.LlamaRuntime;
import io.infernet.runtime.BackendDevice;
import java.util.List;

/**
 * The in-process view from the runtime: the devices of the ggml backends loaded in this JVM.
 * Loading llama.cpp here is cheap (no model), but it does fetch the pinned libraries on the
 * very first run; a failure to load is reported as the reason, never thrown.
 */
public final class RuntimeDeviceSource implements BackendDeviceSource {
    private volatile String reason = "not asked yet";

    @Override
    public List<BackendDevice> devices() {
        try {
            LlamaRuntime rt = LlamaRuntime.load(Progress.NONE);
            List<BackendDevice> out = rt.devices();
            reason = out.stream().anyMatch(BackendDevice::isGpu) ? "" : "the loaded llama.cpp build ("
                    + rt.libraries().origin() + ") has no GPU backend, or no GPU is visible to it";
            return out;
        } catch (RuntimeException | LinkageError e) {
            reason = "llama.cpp could not be loaded in process: " + e.getMessage();
            return List.of();
        }
    }

    @Override
    public String unavailableReason() {
        return reason;
    }
}
