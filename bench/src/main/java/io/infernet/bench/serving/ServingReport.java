package io.infernet.bench.serving;

import java.util.List;

/**
 * The {@code --serving} part of a report.
 *
 * @param tier              the tier whose model was served
 * @param model             the GGUF file
 * @param maxTokens         {@code max_tokens} of every request
 * @param requestsPerStream requests each stream sends one after another
 * @param servers           the servers compared
 * @param notes             caveats
 * @param inProcessLoopTokensPerSecond our generation loop in process on the same libraries (tier run), to price the HTTP path
 * @param ceilings          ggml's batched decode alone per level (llama-batched-bench), run in the same rounds; empty when not run
 */
public record ServingReport(String tier, String model, int maxTokens, int requestsPerStream, List<ServingServer> servers, List<String> notes,
                            java.util.OptionalDouble inProcessLoopTokensPerSecond, List<BatchedDecode.Level> ceilings) {
    public ServingReport {
        servers = List.copyOf(servers);
        notes = List.copyOf(notes);
        ceilings = List.copyOf(ceilings);
    }

    public ServingReport(String tier, String model, int maxTokens, int requestsPerStream, List<ServingServer> servers, List<String> notes) {
        this(tier, model, maxTokens, requestsPerStream, servers, notes, java.util.OptionalDouble.empty(), List.of());
    }

    public ServingReport withInProcessLoop(double tokensPerSecond) {
        return new ServingReport(tier, model, maxTokens, requestsPerStream, servers, notes, java.util.OptionalDouble.of(tokensPerSecond), ceilings);
    }

    public ServingReport withCeilings(List<BatchedDecode.Level> levels) {
        return new ServingReport(tier, model, maxTokens, requestsPerStream, servers, notes, inProcessLoopTokensPerSecond, levels);
    }
}
