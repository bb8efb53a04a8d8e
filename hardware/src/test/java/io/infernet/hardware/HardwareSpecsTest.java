package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareSpecsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void h100ServerExactJson(@TempDir Path root) throws Exception {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-2socket.txt", "meminfo.txt", "loadavg.txt", 2).infinibandPorts(8);
        m.tools.ok(NvidiaSmi.QUERY, "nvidia-smi-h100x8.csv").ok(NvidiaSmi.TOPOLOGY, "nvidia-topo-h100x8.txt")
                .ok(NvidiaSmi.NVLINK_STATUS, "nvidia-nvlink-status-h100x8.txt");
        String gpu = "{\"vendor\":\"nvidia\",\"vram_tier\":\">=48gb\",\"model\":\"NVIDIA H100 80GB HBM3\"}";
        String expected = "{\"cpu\":{\"vendor\":\"intel\",\"arch\":\"x64\",\"cores\":4,\"groups\":2,\"ram_gb\":24},"
                + "\"gpu_count\":8,\"gpus\":[" + String.join(",", java.util.Collections.nCopies(8, gpu)) + "],"
                + "\"interconnects\":{\"nvlink\":{\"available\":true,\"topology\":\"all-to-all\",\"link_count\":28},"
                + "\"xgmi\":{\"available\":false,\"topology\":\"none\",\"link_count\":0},"
                + "\"infiniband\":{\"available\":true,\"active_port_count\":8},"
                + "\"efa\":{\"available\":false,\"adapter_count\":0},\"rdma_capable\":true},"
                + "\"load\":{\"load_avg_1m\":0.52,\"ram\":{\"total_gb\":23.5,\"free_gb\":23.2},"
                + "\"vram\":{\"total_gb\":637.2,\"free_gb\":518.0},\"gpu_utilization_max\":97}}";
        assertEquals(expected, JSON.writeValueAsString(new HardwareSpecs(m.detect()).toJson()));
    }

    @Test
    void cpuOnlyNodeExactJson(@TempDir Path root) throws Exception {
        FixtureMachine m = new FixtureMachine(root).proc("cpuinfo-graviton.txt", "meminfo-old-kernel.txt", "loadavg.txt", 1);
        String expected = "{\"cpu\":{\"vendor\":\"arm\",\"arch\":\"x64\",\"cores\":2,\"groups\":1,\"ram_gb\":8},"
                + "\"gpu_count\":0,\"gpus\":[],"
                + "\"interconnects\":{\"nvlink\":{\"available\":false,\"topology\":\"none\",\"link_count\":0},"
                + "\"xgmi\":{\"available\":false,\"topology\":\"none\",\"link_count\":0},"
                + "\"infiniband\":{\"available\":false,\"active_port_count\":0},"
                + "\"efa\":{\"available\":false,\"adapter_count\":0},\"rdma_capable\":false},"
                + "\"load\":{\"load_avg_1m\":0.52,\"ram\":{\"total_gb\":7.7,\"free_gb\":3.3},"
                + "\"vram\":{\"total_gb\":0.0,\"free_gb\":0.0},\"gpu_utilization_max\":null}}";
        // Graviton cpuinfo has no core ids: cores fall back to the JVM's 2 available processors.
        assertEquals(expected, JSON.writeValueAsString(new HardwareSpecs(m.detect()).toJson()));
    }

    @Test
    void gpusCarryOnlyVendorTierAndModelCutTo64Chars() {
        String longName = "NVIDIA GeForce RTX 4090 Laptop GPU with an unusually long board partner name suffix";
        List<Gpu> gpus = new ArrayList<>();
        gpus.add(new Gpu(GpuVendor.NVIDIA, 0, longName, OptionalLong.of(16L << 30), OptionalLong.empty(), OptionalInt.empty(),
                Optional.of("0000:01:00.0"), Optional.of("550.54.14"), false, DetectionSource.NVIDIA));
        HardwareReport r = new HardwareReport(new CpuInfo(Optional.empty(), Optional.empty(), "x64", 1, 1, 1), new MemInfo(1L << 30, 1L << 29),
                OptionalDouble.empty(), List.of(), gpus, new Interconnects(GpuLinks.NONE, GpuLinks.NONE,
                new Interconnects.InfiniBand(0, List.of()), new Interconnects.Efa(List.of()), 0, false, List.of()), List.of(), Instant.EPOCH);
        JsonNode specs = new HardwareSpecs(r).toJson();
        JsonNode g = specs.get("gpus").get(0);
        List<String> keys = new ArrayList<>();
        g.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("vendor", "vram_tier", "model"), keys);
        assertEquals(longName.substring(0, 64), g.get("model").asText());
        assertEquals(64, g.get("model").asText().length());
        assertEquals("16-24gb", g.get("vram_tier").asText());
        assertEquals(JSON.nullNode(), specs.get("cpu").get("vendor"));
        assertEquals(JSON.nullNode(), specs.get("load").get("load_avg_1m"));
        // Free VRAM unknown for a GPU of known total: free_gb is null, not a misleading 0.
        assertEquals(JSON.nullNode(), specs.get("load").get("vram").get("free_gb"));
        assertEquals(16.0, specs.get("load").get("vram").get("total_gb").asDouble());
        // Nothing in the specs carries an exact byte count.
        assertEquals(false, specs.toString().contains(String.valueOf(16L << 30)));
    }

    @Test
    void truncateNeverSplitsASurrogatePair() {
        String s = "x".repeat(63) + "\uD83D\uDE80 rocket";
        assertEquals("x".repeat(63), HardwareSpecs.truncate(s));
    }
}
