package io.infernet.engines.vllm;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognizes the log lines of vLLM and Ray that explain a failure, and says it plainly: a model
 * that does not fit, a KV cache too small for the context, no GPU, a port taken, a missing
 * model, a Ray head out of reach.
 */
public final class LogDiagnosis {
    private LogDiagnosis() {}

    private record Rule(Pattern pattern, String says) {}

    /** Most specific first: a KV-cache error line also mentions memory. */
    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("KV cache is needed, which is larger than the available KV cache memory"
                    + "|larger than the maximum number of tokens that can be stored in KV cache", Pattern.CASE_INSENSITIVE),
                    "the KV cache cannot hold --max-model-len tokens in the GPU memory left after the weights: lower --max-model-len, "
                            + "raise --gpu-memory-utilization, or spread the model over more GPUs (--tp)"),
            new Rule(Pattern.compile("No available memory for the cache blocks", Pattern.CASE_INSENSITIVE),
                    "no GPU memory is left for the KV cache after loading the weights: raise --gpu-memory-utilization, "
                            + "use more GPUs (--tp) or a smaller or quantized model"),
            new Rule(Pattern.compile("CUDA out of memory|OutOfMemoryError|CUDA error: out of memory|HIP out of memory", Pattern.CASE_INSENSITIVE),
                    "the model does not fit in GPU memory (out of memory): use more GPUs (--tp), a smaller or quantized model, "
                            + "a lower --max-model-len, or free the GPU memory other processes hold (see nvidia-smi)"),
            new Rule(Pattern.compile("(?:attention heads|num_attention_heads).*(?:divisible|must be divisible)", Pattern.CASE_INSENSITIVE),
                    "the model's attention heads do not divide evenly by --tp: choose a tensor-parallel size that divides them"),
            new Rule(Pattern.compile("No CUDA GPUs are available|Failed to infer device type|Found no NVIDIA driver|no NVIDIA GPU", Pattern.CASE_INSENSITIVE),
                    "vLLM finds no usable GPU: check nvidia-smi and CUDA_VISIBLE_DEVICES"),
            new Rule(Pattern.compile("Address already in use", Pattern.CASE_INSENSITIVE),
                    "the port is already in use: choose another with --port or stop what listens there"),
            new Rule(Pattern.compile("Repository Not Found|is not a local folder and is not a valid model identifier|does not appear to have a file named config.json",
                    Pattern.CASE_INSENSITIVE),
                    "vLLM cannot find the model: check the Hugging Face id or path (a gated model also needs HF_TOKEN)"),
            new Rule(Pattern.compile("401 Client Error|gated repo|Access to model .* is restricted", Pattern.CASE_INSENSITIVE),
                    "the model is gated: accept its license on Hugging Face and set HF_TOKEN"),
            new Rule(Pattern.compile("No module named '?vllm'?", Pattern.CASE_INSENSITIVE),
                    "the vllm command runs a Python without the vllm package: reinstall vLLM in that environment"),
            new Rule(Pattern.compile("Could not find any running Ray instance|Unable to connect to GCS|Failed to connect to GCS", Pattern.CASE_INSENSITIVE),
                    "cannot reach the Ray head: check INFERNET_RAY_HEAD, that the head runs, and that its port is open between the machines"));

    /** What {@code line} tells, if anything. */
    public static Optional<String> of(String line) {
        for (Rule r : RULES) {
            if (r.pattern().matcher(line).find()) {
                return Optional.of(r.says());
            }
        }
        return Optional.empty();
    }
}
