package io.infernet.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RdmaProbeTest {

    /** Writes {@code sys/class/infiniband/<dev>/ports/<port>/{state,link_layer}}. */
    static void port(Path sys, String dev, int port, String state, String linkLayer) throws IOException {
        Path p = Files.createDirectories(sys.resolve("class/infiniband/" + dev + "/ports/" + port));
        Files.writeString(p.resolve("state"), state + "\n");
        Files.writeString(p.resolve("link_layer"), linkLayer + "\n");
    }

    @Test
    void nothingThere(@TempDir Path sys) {
        RdmaProbe.Result r = RdmaProbe.probe(sys, new FakeTools(), OsKind.LINUX);
        assertEquals(0, r.infiniband().activePortCount());
        assertEquals(false, r.infiniband().available());
        assertEquals(0, r.efa().adapterCount());
        assertEquals(List.of(), r.notes());
    }

    @Test
    void infinibandRoceAndEfa(@TempDir Path sys) throws IOException {
        port(sys, "mlx5_0", 1, "4: ACTIVE", "InfiniBand");
        port(sys, "mlx5_1", 1, "4: ACTIVE", "InfiniBand");
        port(sys, "mlx5_2", 1, "1: DOWN", "InfiniBand");
        port(sys, "mlx5_3", 1, "4: ACTIVE", "Ethernet");
        port(sys, "efa_0", 1, "4: ACTIVE", "Unspecified");
        port(sys, "rdmap16s27", 1, "4: ACTIVE", "Unspecified");
        Path drivers = Files.createDirectories(sys.resolve("bus/pci/drivers/efa"));
        Files.createDirectories(sys.resolve("class/infiniband/rdmap16s27/device"));
        Files.createSymbolicLink(sys.resolve("class/infiniband/rdmap16s27/device/driver"), drivers);
        RdmaProbe.Result r = RdmaProbe.probe(sys, new FakeTools(), OsKind.LINUX);
        assertEquals(2, r.infiniband().activePortCount());
        assertEquals(List.of("mlx5_0", "mlx5_1", "mlx5_2", "mlx5_3"), r.infiniband().devices());
        assertEquals(1, r.roceActivePorts());
        assertEquals(List.of("efa_0", "rdmap16s27"), r.efa().devices());
    }

    @Test
    void fiInfoWhenSysfsShowsNoEfa(@TempDir Path sys) {
        String out = """
                provider: efa
                    fabric: efa
                    domain: rdmap16s27-rdm
                    version: 120.0
                    type: FI_EP_RDM
                    protocol: FI_PROTO_EFA
                provider: efa
                    fabric: efa
                    domain: rdmap16s27-dgrm
                    version: 120.0
                    type: FI_EP_DGRAM
                    protocol: FI_PROTO_EFA
                provider: efa
                    fabric: efa
                    domain: rdmap32s27-rdm
                    version: 120.0
                    type: FI_EP_RDM
                    protocol: FI_PROTO_EFA
                """;
        FakeTools tools = new FakeTools().answer(RdmaProbe.FI_INFO, new ToolResult.Completed(0, out, ""));
        assertEquals(List.of("rdmap16s27", "rdmap32s27"), RdmaProbe.probe(sys, tools, OsKind.LINUX).efa().devices());
        FakeTools none = new FakeTools().answer(RdmaProbe.FI_INFO, new ToolResult.Completed(1, "", "fi_getinfo: -61 (No data available)\n"));
        assertEquals(0, RdmaProbe.probe(sys, none, OsKind.LINUX).efa().adapterCount());
    }
}
