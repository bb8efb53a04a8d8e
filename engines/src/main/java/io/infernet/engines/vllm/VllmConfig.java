package io.infernet.engines.vllm;

import java.util.List;
import java.util.Objects;

/**
 * How to run {@code vllm serve}.
 *
 * @param model                the Hugging Face id or local path of the model
 * @param tensorParallel       GPUs each layer is split across ({@code --tensor-parallel-size}), >= 1
 * @param pipelineParallel     stages the layers are split into ({@code --pipeline-parallel-size}), >= 1;
 *                             with Ray, stages may sit on different machines
 * @param host                 the address vLLM listens on
 * @param port                 its port
 * @param maxModelLen          tokens of context per sequence ({@code --max-model-len}); 0 means the model's own
 * @param gpuMemoryUtilization the fraction of each GPU's memory vLLM may take, in (0, 1]
 * @param servedModelName      the name clients use ({@code --served-model-name}); null means the model id
 * @param apiKey               the key clients must send, or null; passed as {@code VLLM_API_KEY}
 *                             in the child's environment, never on its command line (which every
 *                             user of the machine can read in {@code /proc/<pid>/cmdline})
 * @param extraArgs            more arguments for {@code vllm serve}, appended as given
 */
public record VllmConfig(String model, int tensorParallel, int pipelineParallel, String host, int port, int maxModelLen,
                         double gpuMemoryUtilization, String servedModelName, String apiKey, List<String> extraArgs) {

    public static final int DEFAULT_PORT = 8000;
    public static final double DEFAULT_GPU_MEMORY_UTILIZATION = 0.90;

    public VllmConfig {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("vLLM needs a model: a Hugging Face id such as Qwen/Qwen2.5-7B-Instruct or a local path");
        }
        if (tensorParallel < 1) {
            throw new IllegalArgumentException("--tp (tensor-parallel size) must be >= 1, got " + tensorParallel);
        }
        if (pipelineParallel < 1) {
            throw new IllegalArgumentException("--pp (pipeline-parallel size) must be >= 1, got " + pipelineParallel);
        }
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 1..65535, got " + port);
        }
        if (maxModelLen < 0) {
            throw new IllegalArgumentException("--max-model-len must be >= 0 (0 = the model's own), got " + maxModelLen);
        }
        if (!(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1)) {
            throw new IllegalArgumentException("--gpu-memory-utilization must be in (0, 1], got " + gpuMemoryUtilization);
        }
        servedModelName = servedModelName == null || servedModelName.isBlank() ? null : servedModelName;
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        extraArgs = List.copyOf(extraArgs);
    }

    /** One GPU, 127.0.0.1:8000, the model's context, 90 % of GPU memory. */
    public static VllmConfig of(String model) {
        return new VllmConfig(model, 1, 1, "127.0.0.1", DEFAULT_PORT, 0, DEFAULT_GPU_MEMORY_UTILIZATION, null, null, List.of());
    }

    /** GPUs the model spans: tensor x pipeline parallel. */
    public int gpus() {
        return tensorParallel * pipelineParallel;
    }

    /** The name clients use. */
    public String servedName() {
        return servedModelName != null ? servedModelName : model;
    }

    /**
     * The workload classes the heartbeat advertises while this runs: {@code A} (inference) and,
     * when the model spans more than one GPU, {@code B} (trusted multi-GPU work).
     */
    public List<String> workloadClasses() {
        return gpus() > 1 ? List.of("A", "B") : List.of("A");
    }

    public VllmConfig withParallel(int tp, int pp) {
        return new VllmConfig(model, tp, pp, host, port, maxModelLen, gpuMemoryUtilization, servedModelName, apiKey, extraArgs);
    }

    public VllmConfig withPort(int p) {
        return new VllmConfig(model, tensorParallel, pipelineParallel, host, p, maxModelLen, gpuMemoryUtilization, servedModelName, apiKey, extraArgs);
    }

    public VllmConfig withApiKey(String key) {
        return new VllmConfig(model, tensorParallel, pipelineParallel, host, port, maxModelLen, gpuMemoryUtilization, servedModelName, key, extraArgs);
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "VllmConfig[model=" + model + ", tp=" + tensorParallel + ", pp=" + pipelineParallel + ", " + host + ":" + port
                + ", maxModelLen=" + maxModelLen + ", gpuMemoryUtilization=" + gpuMemoryUtilization + ", servedModelName=" + servedName()
                + (apiKey == null ? "" : ", with API key") + ", extraArgs=" + extraArgs + "]";
    }
}
