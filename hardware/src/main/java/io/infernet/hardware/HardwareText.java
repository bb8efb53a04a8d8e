package io.infernet.hardware;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text rendering of a {@link HardwareReport} for {@code infernet gpu} and {@code infernet doctor}. */
public final class HardwareText {
    private HardwareText() {}

    /** Each source: how many GPUs, or why none; its notes indented below. */
    public static List<String> sources(HardwareReport r) {
        List<String> out = new ArrayList<>();
        for (SourceReport s : r.sources()) {
            String what = s.found() ? s.gpus().size() + (s.gpus().size() == 1 ? " GPU" : " GPUs") : "none: " + s.reason().orElse("");
            out.add(String.format(Locale.ROOT, "  %-11s %s", s.source().id(), what));
            s.notes().forEach(n -> out.add("              note: " + n));
        }
        return out;
    }

    /** One or two lines per merged GPU. */
    public static List<String> gpus(HardwareReport r) {
        List<String> out = new ArrayList<>();
        if (r.gpus().isEmpty()) {
            out.add("  none found");
            return out;
        }
        for (Gpu g : r.gpus()) {
            List<String> where = new ArrayList<>();
            where.add(g.source().id());
            g.pciBusId().ifPresent(where::add);
            g.driver().ifPresent(d -> where.add("driver " + d));
            out.add("  #" + g.index() + " " + g.model() + " (" + String.join(", ", where) + ")");
            String mem;
            if (g.vramTotalBytes().isEmpty()) {
                mem = "memory unknown";
            } else {
                mem = (g.unifiedMemory() ? "unified memory " : "VRAM ") + Units.gib(g.vramTotalBytes().getAsLong()) + " GiB total"
                        + g.vramFreeBytes().stream().mapToObj(f -> ", " + Units.gib(f) + " GiB free").findFirst().orElse("");
            }
            String busy = g.utilizationPercent().stream().mapToObj(u -> ", " + u + "% busy").findFirst().orElse("");
            out.add("     " + mem + busy + "; wire tier " + g.wireTier().wire());
        }
        return out;
    }

    public static List<String> interconnects(HardwareReport r) {
        Interconnects ic = r.interconnects();
        List<String> out = new ArrayList<>();
        out.add("  NVLink      " + links(ic.nvlink()));
        out.add("  xGMI        " + links(ic.xgmi()));
        Interconnects.InfiniBand ib = ic.infiniband();
        out.add("  InfiniBand  " + (ib.devices().isEmpty() ? "none"
                : ib.activePortCount() + " active port(s) on " + String.join(", ", ib.devices())));
        out.add("  EFA         " + (ic.efa().available() ? ic.efa().adapterCount() + " adapter(s): " + String.join(", ", ic.efa().devices()) : "none"));
        if (ic.roceActivePorts() > 0) {
            out.add("  RoCE        " + ic.roceActivePorts() + " active port(s)");
        }
        out.add("  RDMA        " + (ic.rdmaCapable() ? "yes" : "no"));
        ic.notes().forEach(n -> out.add("  note: " + n));
        return out;
    }

    /** The node tier, with the seed's description of it. */
    public static List<String> tier(HardwareReport r) {
        NodeTier t = r.tier();
        UserTier u = t.userTier();
        List<String> out = new ArrayList<>();
        out.add("Node tier: " + t.explain());
        u.exampleHardware().ifPresent(s -> out.add("  Example hardware: " + s));
        out.add("  What you can run: " + u.canRun());
        u.throughput().ifPresent(s -> out.add("  Expected throughput: " + s));
        u.recommendedBackends().ifPresent(s -> out.add("  Recommended backends: " + s));
        u.notes().ifPresent(s -> out.add("  " + s));
        out.add("  RAM: " + u.ramMinGb() + " GB minimum, " + u.ramRecommendedGb() + " GB recommended; storage: " + u.diskRecommendation());
        return out;
    }

    private static String links(GpuLinks l) {
        if (!l.available()) {
            return "none";
        }
        return l.topology() + ", " + l.gpuPairs() + " GPU pair(s) linked"
                + l.activeLinks().stream().mapToObj(a -> ", " + a + " links active").findFirst().orElse("");
    }
}
