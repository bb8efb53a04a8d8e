package io.infernet.node.protocol.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.hardware.HardwareProbe;
import io.infernet.hardware.HardwareReport;
import io.infernet.hardware.HardwareSpecs;

/**
 * Heartbeat specs from the node's hardware detection: GPUs with their wire tiers,
 * interconnects, CPU and memory. Detection runs once; {@link #load()} refreshes only what moves
 * (RAM, load average, GPU free memory and utilization).
 */
public final class HardwareSpecsProvider implements SpecsProvider {
    private final HardwareProbe probe;
    private volatile HardwareReport report;

    public HardwareSpecsProvider(HardwareProbe probe) {
        this.probe = probe;
        this.report = probe.detect();
    }

    public HardwareReport report() {
        return report;
    }

    @Override
    public ObjectNode hardware() {
        ObjectNode all = new HardwareSpecs(report).toJson();
        all.remove("load");
        return all;
    }

    @Override
    public synchronized ObjectNode load() {
        report = probe.refresh(report);
        return (ObjectNode) new HardwareSpecs(report).toJson().get("load");
    }
}
