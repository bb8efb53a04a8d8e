package io.infernet.hardware;

import io.infernet.runtime.BackendDevice;
import java.util.List;

/**
 * The in-process view of the devices: what the ggml backends loaded into this JVM enumerate
 * (through FFM, written in the runtime layer). It knows free memory where vendor tools may not
 * (Apple Silicon) and sees GPUs when no vendor tool is installed. How it is merged with the vendor
 * tools is {@link GpuMerge}'s rule.
 *
 * <p>Implementations must be cheap (no model loading) and must not throw: a backend that cannot
 * enumerate returns an empty list and says why in {@link #unavailableReason()}.
 */
public interface BackendDeviceSource {

    /** All devices, CPU included, in backend order. */
    List<BackendDevice> devices();

    /** Why {@link #devices()} may be empty, for people; asked only when it is. */
    String unavailableReason();

    /** No in-process view: what the node uses until the runtime's backend enumeration is wired in. */
    BackendDeviceSource NONE = new BackendDeviceSource() {
        @Override
        public List<BackendDevice> devices() {
            return List.of();
        }

        @Override
        public String unavailableReason() {
            return "the in-process ggml backend view is not wired into this node yet";
        }
    };
}
