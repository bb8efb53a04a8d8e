package io.infernet.hardware;

import io.infernet.hardware.fit.FitEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of {@code infernet doctor}, as pure functions of what was detected (the CLI does the
 * I/O). Thresholds come from the seed's tables for the node's {@link UserTier}:
 * <ul>
 * <li>GPU: PASS with at least one GPU of known memory; WARN without (CPU tier), with every
 *     source's reason, or when only lspci sees a GPU (its driver or tool is missing).</li>
 * <li>RAM: FAIL below the tier's minimum, WARN below its recommendation, else PASS. The seed's
 *     "GB" are read as GiB with 5% slack, because the kernel keeps some RAM back (a 16 GB machine
 *     shows about 15.5 GiB).</li>
 * <li>Disk (the model store's file system): FAIL when less is free than one Q4 model of the
 *     largest class the tier can run (seed's storage table: 70B 40 GB, 30–33B 18 GB, 13–14B 8 GB,
 *     7B 4 GB, 1B–3B 2 GB); WARN when the whole file system is smaller than the tier's drive
 *     recommendation; else PASS. Whether the drive is NVMe is not checked.</li>
 * <li>Model: PASS when it fits now, WARN when it fits only once memory is freed, FAIL when it
 *     does not fit.</li>
 * </ul>
 */
public final class DoctorChecks {
    private DoctorChecks() {}

    /** RAM slack: a tier's "16 GB" is met from 0.95 × 16 GiB. */
    public static final double RAM_SLACK = 0.95;

    public static Check gpu(HardwareReport report) {
        NodeTier tier = report.tier();
        List<String> reasons = new ArrayList<>();
        for (SourceReport s : report.sources()) {
            s.reason().ifPresent(r -> reasons.add(s.source().id() + ": " + r));
            s.notes().forEach(n -> reasons.add(s.source().id() + ": " + n));
        }
        List<Gpu> known = report.gpus().stream().filter(g -> g.vramTotalBytes().isPresent()).toList();
        List<Gpu> lspciOnly = report.gpus().stream().filter(g -> g.source() == DetectionSource.LSPCI).toList();
        if (!known.isEmpty()) {
            String models = known.stream().map(Gpu::model).distinct().reduce((a, b) -> a + ", " + b).orElse("");
            String detail = known.size() + (known.size() == 1 ? " GPU (" : " GPUs (") + models + "); node tier " + tier.explain();
            return new Check(lspciOnly.isEmpty() ? Check.Status.PASS : Check.Status.WARN, "GPU",
                    lspciOnly.isEmpty() ? detail : detail + "; lspci also sees " + lspciOnly.size() + " GPU(s) no tool reports", reasons);
        }
        if (!lspciOnly.isEmpty()) {
            String names = lspciOnly.stream().map(Gpu::model).reduce((a, b) -> a + ", " + b).orElse("");
            return new Check(Check.Status.WARN, "GPU", "lspci sees " + names + " but no vendor tool reports it: install its driver and "
                    + "nvidia-smi or rocm-smi; until then this node serves on CPU (tier cpu)", reasons);
        }
        return new Check(Check.Status.WARN, "GPU", "no GPU found; this node serves on CPU (tier cpu)", reasons);
    }

    public static Check ram(MemInfo mem, UserTier tier) {
        double gib = mem.totalBytes() / (double) Units.GIB;
        String have = Units.gib1(mem.totalBytes()) + " GiB RAM (" + Units.gib1(mem.availableBytes()) + " GiB available)";
        String want = "tier " + tier.id() + " needs " + tier.ramMinGb() + " GB, recommends " + tier.ramRecommendedGb() + " GB";
        if (gib < tier.ramMinGb() * RAM_SLACK) {
            return new Check(Check.Status.FAIL, "RAM", have + "; " + want, List.of());
        }
        if (gib < tier.ramRecommendedGb() * RAM_SLACK) {
            return new Check(Check.Status.WARN, "RAM", have + "; " + want, List.of());
        }
        return new Check(Check.Status.PASS, "RAM", have + "; " + want, List.of());
    }

    /**
     * @param store       the model store folder
     * @param measuredAt  the existing folder whose file system was measured ({@code store} or its nearest existing parent)
     * @param totalBytes  size of that file system
     * @param usableBytes space this user may still write there
     */
    public static Check disk(String store, String measuredAt, long totalBytes, long usableBytes, UserTier tier) {
        long needFree = q4LargestClassGb(tier) * 1_000_000_000L;
        long wantTotal = tier.diskRecommendedGb() * 1_000_000_000L;
        String where = "model store " + store + (store.equals(measuredAt) ? "" : " (not created yet; measured at " + measuredAt + ")");
        String have = Units.gib1(usableBytes) + " GiB free of " + Units.gib1(totalBytes) + " GiB";
        List<String> more = List.of("tier " + tier.id() + " recommends a " + tier.diskRecommendation() + " drive (drive type not checked)");
        if (usableBytes < needFree) {
            return new Check(Check.Status.FAIL, "Disk", where + ": " + have + "; one " + largestClass(tier) + " model at Q4 needs about "
                    + q4LargestClassGb(tier) + " GB", more);
        }
        if (totalBytes < wantTotal) {
            return new Check(Check.Status.WARN, "Disk", where + ": " + have + "; smaller than the " + tier.diskRecommendation()
                    + " the tier recommends", more);
        }
        return new Check(Check.Status.PASS, "Disk", where + ": " + have, more);
    }

    /** The check for a model the user named. */
    public static Check model(String label, FitEstimate e) {
        Check.Status s = switch (e.verdict()) {
            case FITS -> Check.Status.PASS;
            case FITS_WHEN_FREED -> Check.Status.WARN;
            case DOES_NOT_FIT -> Check.Status.FAIL;
        };
        return new Check(s, "Model " + label, e.describe(), List.of("budget: " + e.budget().where()));
    }

    /** A model file that could not be read. */
    public static Check unreadableModel(String label, String message) {
        return new Check(Check.Status.FAIL, "Model " + label, message, List.of());
    }

    /** GB of one Q4 model of the largest class the tier runs, from the seed's storage table. */
    static int q4LargestClassGb(UserTier tier) {
        return switch (tier) {
            case FLAGSHIP -> 40;
            case HIGH_END -> 18;
            case MID_RANGE -> 8;
            case ENTRY -> 4;
            case CPU -> 2;
        };
    }

    private static String largestClass(UserTier tier) {
        return switch (tier) {
            case FLAGSHIP -> "70B–72B";
            case HIGH_END -> "30B–33B";
            case MID_RANGE -> "13B–14B";
            case ENTRY -> "7B";
            case CPU -> "1B–3B";
        };
    }

    /** The worst status among {@code checks}; PASS when empty. */
    public static Check.Status worst(List<Check> checks) {
        Optional<Check.Status> w = checks.stream().map(Check::status).max(Enum::compareTo);
        return w.orElse(Check.Status.PASS);
    }
}
