package io.infernet.bench.llamabench;

import java.util.List;
import java.util.Objects;

/**
 * One test of a {@code llama-bench -o json} run (one element of its array), with the fields this
 * harness uses; names follow llama-bench's ({@code tools/llama-bench/llama-bench.cpp},
 * {@code test::get_fields()}).
 *
 * @param buildCommit   {@code build_commit}
 * @param buildNumber   {@code build_number}
 * @param cpuInfo       {@code cpu_info}
 * @param gpuInfo       {@code gpu_info}
 * @param backends      {@code backends} ("CPU", "CUDA", ...)
 * @param modelFilename {@code model_filename}
 * @param modelType     {@code model_type} (llama_model_desc: "llama 1B Q4_0")
 * @param modelSize     {@code model_size}, bytes
 * @param modelParams   {@code model_n_params}
 * @param nBatch        {@code n_batch}
 * @param nUbatch       {@code n_ubatch}
 * @param nThreads      {@code n_threads}
 * @param nGpuLayers    {@code n_gpu_layers}
 * @param flashAttn     {@code flash_attn} (-1 auto, 0 off, 1 on)
 * @param nPrompt       {@code n_prompt}: tokens of a prompt test, 0 for a generation test
 * @param nGen          {@code n_gen}: tokens of a generation test, 0 for a prompt test
 * @param nDepth        {@code n_depth}: tokens already in the cache before the test
 * @param testTime      {@code test_time} (RFC 3339)
 * @param avgNs         {@code avg_ns}: mean time of a repetition, ns
 * @param stddevNs      {@code stddev_ns}
 * @param avgTs         {@code avg_ts}: mean tokens per second of the repetitions
 * @param stddevTs      {@code stddev_ts}
 * @param samplesNs     {@code samples_ns}: each repetition's time, ns
 * @param samplesTs     {@code samples_ts}: each repetition's tokens per second
 */
public record LlamaBenchResult(String buildCommit, int buildNumber, String cpuInfo, String gpuInfo, String backends,
                               String modelFilename, String modelType, long modelSize, long modelParams, int nBatch, int nUbatch,
                               int nThreads, int nGpuLayers, int flashAttn, int nPrompt, int nGen, int nDepth, String testTime,
                               long avgNs, long stddevNs, double avgTs, double stddevTs, List<Long> samplesNs, List<Double> samplesTs) {

    public LlamaBenchResult {
        Objects.requireNonNull(buildCommit, "buildCommit");
        samplesNs = List.copyOf(samplesNs);
        samplesTs = List.copyOf(samplesTs);
        if (nPrompt < 0 || nGen < 0 || nPrompt + nGen == 0) {
            throw new IllegalArgumentException("a llama-bench test has n_prompt or n_gen > 0, got " + nPrompt + "/" + nGen);
        }
    }

    /** {@code pp512}, {@code tg128} or {@code pp512+tg128}, as llama-bench names its tests. */
    public String testName() {
        if (nGen == 0) {
            return "pp" + nPrompt;
        }
        if (nPrompt == 0) {
            return "tg" + nGen;
        }
        return "pp" + nPrompt + "+tg" + nGen;
    }

    public boolean isPrompt() {
        return nGen == 0;
    }

    public boolean isGeneration() {
        return nPrompt == 0;
    }
}
