package io.infernet.bench.inproc;

import io.infernet.bench.stats.Summary;
import java.util.List;
import java.util.Objects;

/**
 * What one in-process measurement run found (one child JVM, one set of libraries). Each list holds
 * one value per timed repetition, in order.
 *
 * @param libraries        where the llama.cpp libraries came from ({@code LibraryDir.origin})
 * @param libraryDir       their folder
 * @param llamaVersion     {@code llama_version()} of the loaded build
 * @param systemInfo       {@code llama_print_system_info()}: the CPU features the build uses
 * @param modelDescription {@code llama_model_desc}
 * @param modelBytes       {@code llama_model_size}
 * @param threads          threads for prompt and generation
 * @param gpuLayers        layers offloaded (-1 all)
 * @param promptTokens     tokens of the prompt test
 * @param genTokens        tokens of the generation tests
 * @param promptTs         prompt processing: tokens/s of one {@code promptTokens}-token decode
 * @param decodeTs         generation, decode only: tokens/s of {@code genTokens} single-token decodes,
 *                         no sampling (what llama-bench's tg measures)
 * @param loopTs           generation, our real loop: tokens/s of {@link io.infernet.runtime.Generator}
 *                         with the Java sampler (greedy) and detokenization, from a one-token prompt
 * @param loopTokens       tokens each loop run produced ({@code genTokens} unless the model emitted end-of-generation)
 * @param ttftMs           time to first token after a {@code promptTokens}-token prompt, ms
 */
public record ProbeResult(String libraries, String libraryDir, String llamaVersion, String systemInfo, String modelDescription,
                          long modelBytes, int threads, int gpuLayers, int promptTokens, int genTokens, List<Double> promptTs,
                          List<Double> decodeTs, List<Double> loopTs, List<Integer> loopTokens, List<Double> ttftMs) {

    public ProbeResult {
        Objects.requireNonNull(libraries, "libraries");
        promptTs = List.copyOf(promptTs);
        decodeTs = List.copyOf(decodeTs);
        loopTs = List.copyOf(loopTs);
        loopTokens = List.copyOf(loopTokens);
        ttftMs = List.copyOf(ttftMs);
    }

    /** Mean over repetitions, as llama-bench's {@code avg_ts} is. */
    public double promptMean() {
        return Summary.of(promptTs).mean();
    }

    public double decodeMean() {
        return Summary.of(decodeTs).mean();
    }

    public double loopMean() {
        return Summary.of(loopTs).mean();
    }

    /** Median time to first token, ms. */
    public double ttftMedian() {
        return Summary.of(ttftMs).median();
    }
}
