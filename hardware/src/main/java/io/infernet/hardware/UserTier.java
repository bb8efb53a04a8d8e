package io.infernet.hardware;

import java.util.Optional;

/**
 * The tiers users see, from the seed document {@code hardware-requirements.txt} ("The Infernet
 * Book", Hardware Requirements). Texts are the seed's, verbatim (its one mis-encoded em dash,
 * {@code β€”}, restored to {@code —}); a test checks each against a copy of the seed.
 *
 * <p>Selection by VRAM: a GPU pool with {@code v} bytes belongs to the highest tier whose
 * {@link #minVramGib()} it reaches, where reaching means at least 99% of the nominal size, because
 * drivers keep a few MiB back (an 8 GB RTX 4060 Ti reports 8188 MiB, a 24 GB RTX 4090 24564 MiB).
 * Below 8 GB, or without a GPU of known memory, the tier is {@link #CPU}. Which pool is measured
 * is {@link NodeTier}'s decision. The seed's example lists are not always consistent with its own
 * cuts (it names a 16 GB RX 6800 under 8 GB); the cut wins.
 */
public enum UserTier {
    FLAGSHIP(">=48gb", "Flagship", 48,
            "NVIDIA H100 80GB, A100 80GB, RTX 6000 Ada (48GB)",
            "70B parameter models (Qwen2.5-72B, Llama-3.1-70B), large code models (DeepSeek Coder 33B), multi-modal models with large context windows.",
            "50–150 tokens/second for 70B models. 200+ tokens/second for 7B–13B models.",
            "vLLM or SGLang for maximum throughput. Both support tensor parallelism if you have multiple GPUs.",
            null,
            64, 128, 1000, "1 TB NVMe"),
    HIGH_END(">=24gb", "High-End Consumer / Professional", 24,
            "NVIDIA RTX 4090 (24GB), RTX 3090 (24GB), A5000 (24GB)",
            "14B–33B models at full precision, 70B models with aggressive quantization (Q4).",
            "30–80 tokens/second for 14B models, 15–30 tokens/second for 33B.",
            "Ollama works well. vLLM for higher throughput if you’re getting steady job volume.",
            null,
            32, 64, 500, "500 GB NVMe"),
    MID_RANGE(">=12gb", "Mid-Range", 12,
            "NVIDIA RTX 4080 (16GB), RTX 3080 (12GB), A2000 (12GB)",
            "7B–13B models at full precision, 14B–30B with Q4 quantization.",
            "40–90 tokens/second for 7B models.",
            "Ollama. llama.cpp if you need GGUF model support.",
            null,
            16, 32, 250, "250 GB NVMe"),
    ENTRY(">=8gb", "Entry", 8,
            "NVIDIA RTX 4060 Ti (8GB), RTX 3070 (8GB), AMD RX 6800 (16GB)",
            "7B models at full precision, larger models with heavy quantization.",
            "20–50 tokens/second for 7B models depending on memory bandwidth.",
            null,
            "Notes: AMD GPUs in this tier work well with Ollama via ROCm. Apple Silicon (M1 Pro, M2) fits here too, with Ollama or llama.cpp.",
            16, 32, 250, "250 GB NVMe"),
    CPU("cpu", "CPU-Only", 0,
            null,
            "Small models (1B–3B), heavily quantized 7B models. Not recommended for production job-taking — CPU inference is very slow for most clients.",
            null,
            null,
            "Best use: Development, testing your setup, serving small specialized models (embedding models, classifiers).",
            16, 32, 250, "250 GB NVMe");

    private static final long MIB = 1L << 20;

    private final String id;
    private final String title;
    private final int minVramGib;
    private final String exampleHardware;
    private final String canRun;
    private final String throughput;
    private final String backends;
    private final String notes;
    private final int ramMinGb;
    private final int ramRecommendedGb;
    private final int diskRecommendedGb;
    private final String diskRecommendation;

    UserTier(String id, String title, int minVramGib, String exampleHardware, String canRun, String throughput,
             String backends, String notes, int ramMinGb, int ramRecommendedGb, int diskRecommendedGb,
             String diskRecommendation) {
        this.id = id;
        this.title = title;
        this.minVramGib = minVramGib;
        this.exampleHardware = exampleHardware;
        this.canRun = canRun;
        this.throughput = throughput;
        this.backends = backends;
        this.notes = notes;
        this.ramMinGb = ramMinGb;
        this.ramRecommendedGb = ramRecommendedGb;
        this.diskRecommendedGb = diskRecommendedGb;
        this.diskRecommendation = diskRecommendation;
    }

    /** The seed's name for the tier: {@code >=48gb}, {@code >=24gb}, {@code >=12gb}, {@code >=8gb}, {@code cpu}. */
    public String id() {
        return id;
    }

    /** The seed's parenthesized title, e.g. {@code Flagship}. */
    public String title() {
        return title;
    }

    /** Nominal VRAM the tier starts at, GiB (0 for {@link #CPU}). */
    public int minVramGib() {
        return minVramGib;
    }

    /** "Example hardware:" of the seed; empty for {@link #CPU}. */
    public Optional<String> exampleHardware() {
        return Optional.ofNullable(exampleHardware);
    }

    /** "What you can run:" of the seed. */
    public String canRun() {
        return canRun;
    }

    /** "Expected throughput:" of the seed; empty for {@link #CPU}. */
    public Optional<String> throughput() {
        return Optional.ofNullable(throughput);
    }

    /** "Recommended backends:" of the seed; empty where the seed gives none ({@link #ENTRY}, {@link #CPU}). */
    public Optional<String> recommendedBackends() {
        return Optional.ofNullable(backends);
    }

    /** The seed's extra line, with its label ("Notes: ..." or "Best use: ..."); empty where there is none. */
    public Optional<String> notes() {
        return Optional.ofNullable(notes);
    }

    /** Minimum system RAM, GB, from the seed's RAM table. */
    public int ramMinGb() {
        return ramMinGb;
    }

    /** Recommended system RAM, GB, from the seed's RAM table. */
    public int ramRecommendedGb() {
        return ramRecommendedGb;
    }

    /** Recommended drive size for model weights, GB (1 TB = 1000 GB). */
    public int diskRecommendedGb() {
        return diskRecommendedGb;
    }

    /** The seed's storage recommendation for the tier, e.g. {@code 500 GB NVMe} (the seed's "<=12gb" line covers 12, 8 and cpu). */
    public String diskRecommendation() {
        return diskRecommendation;
    }

    /** "Tier: >=24gb (High-End Consumer / Professional)". */
    public String heading() {
        return id + " (" + title + ")";
    }

    /**
     * The tier of a GPU pool of {@code vramBytes}: the highest tier whose nominal size the pool
     * reaches within 1% (see the class comment); {@link #CPU} when empty or below 8 GB.
     */
    public static UserTier forVram(java.util.OptionalLong vramBytes) {
        if (vramBytes.isEmpty()) {
            return CPU;
        }
        long mib = vramBytes.getAsLong() / MIB;
        for (UserTier t : values()) {
            if (t != CPU && mib * 100 >= (long) t.minVramGib * 1024 * 99) {
                return t;
            }
        }
        return CPU;
    }
}
