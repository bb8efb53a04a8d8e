package io.infernet.hardware;

import io.infernet.runtime.BackendDevice;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How the sources become one list of GPUs. The rule, in order:
 * <ol>
 * <li>Vendor tools first (nvidia-smi, rocm-smi, system_profiler): their GPUs are kept as reported.</li>
 * <li>In-process devices (GPU or iGPU) fill a vendor GPU's free memory when the tool gave none
 *     (system_profiler never does). A device matches a GPU when its description equals the GPU's
 *     model, ignoring case, or one contains the other; the k-th device of a description goes to
 *     the k-th GPU of that model.</li>
 * <li>In-process GPUs that matched nothing, of a vendor no tool reported, are added as GPUs of
 *     their own (source {@code in-process}), with their total and free memory.</li>
 * <li>lspci GPUs are added only for vendors nobody else reported and bus ids no tool reported:
 *     a GPU that only lspci sees has a driver problem, and its tier is {@code unknown}.</li>
 * </ol>
 */
public final class GpuMerge {
    private GpuMerge() {}

    /**
     * @param vendorTools reports of nvidia, amd and apple, in that order
     * @param lspci       the lspci report
     * @param inProcess   the in-process devices (may be empty)
     */
    public static List<Gpu> merge(List<SourceReport> vendorTools, SourceReport lspci, List<BackendDevice> inProcess) {
        List<Gpu> primary = new ArrayList<>();
        for (SourceReport r : vendorTools) {
            primary.addAll(r.gpus());
        }
        boolean[] taken = new boolean[primary.size()];
        List<Integer> unmatched = new ArrayList<>(); // positions in inProcess
        for (int pos = 0; pos < inProcess.size(); pos++) {
            BackendDevice d = inProcess.get(pos);
            if (!d.isGpu()) {
                continue;
            }
            int match = firstUntaken(primary, taken, d);
            if (match < 0) {
                unmatched.add(pos);
                continue;
            }
            taken[match] = true;
            Gpu g = primary.get(match);
            if (g.vramFreeBytes().isEmpty()) {
                primary.set(match, g.withVramFree(OptionalLong.of(d.freeBytes())));
            }
        }
        Set<GpuVendor> covered = EnumSet.noneOf(GpuVendor.class);
        primary.forEach(g -> covered.add(g.vendor()));
        List<Gpu> result = new ArrayList<>(primary);
        for (int pos : unmatched) {
            BackendDevice d = inProcess.get(pos);
            if (!covered.contains(GpuVendor.of(d))) {
                result.add(fromDevice(d, pos));
            }
        }
        result.forEach(g -> covered.add(g.vendor()));
        Set<String> busIds = new HashSet<>();
        result.forEach(g -> g.pciBusId().ifPresent(busIds::add));
        for (Gpu g : lspci.gpus()) {
            boolean seen = g.pciBusId().map(busIds::contains).orElse(false);
            if (!seen && !covered.contains(g.vendor())) {
                result.add(g);
            }
        }
        return List.copyOf(result);
    }

    /**
     * A GPU as the in-process view alone describes it: index = the device's position in the
     * backend list, utilization and PCI address unknown, unified memory for an Apple integrated GPU.
     */
    static Gpu fromDevice(BackendDevice d, int position) {
        return new Gpu(GpuVendor.of(d), position, d.description().isEmpty() ? d.name() : d.description(),
                d.totalBytes() > 0 ? OptionalLong.of(d.totalBytes()) : OptionalLong.empty(), OptionalLong.of(d.freeBytes()),
                OptionalInt.empty(), Optional.empty(), Optional.empty(),
                d.type() == BackendDevice.Type.IGPU && GpuVendor.of(d) == GpuVendor.APPLE, DetectionSource.IN_PROCESS);
    }

    /** The first GPU not yet given a device whose model matches the device's description; -1 if none. */
    private static int firstUntaken(List<Gpu> gpus, boolean[] taken, BackendDevice d) {
        String desc = d.description().toLowerCase(Locale.ROOT);
        if (desc.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < gpus.size(); i++) {
            String model = gpus.get(i).model().toLowerCase(Locale.ROOT);
            if (!taken[i] && (model.equals(desc) || model.contains(desc) || desc.contains(model))) {
                return i;
            }
        }
        return -1;
    }
}
