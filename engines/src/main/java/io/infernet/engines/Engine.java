package io.infernet.engines;

import java.util.List;
import java.util.Optional;

/**
 * One interface over every engine that can serve a model: the in-process llama.cpp runtime,
 * vLLM, an external llama.cpp server, Ollama. The node's OpenAI API, its Infernet jobs and its
 * advertised {@code served_models} all go through it.
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public interface Engine extends AutoCloseable {

    /** "in-process", "vllm", "llamacpp" or "ollama". */
    String kind();

    /**
     * Starts a generation. Events go to {@code listener} in order (see {@link GenerationEvent}).
     *
     * @throws EngineException when the request is refused up front (bad parameters, prompt too
     *     long, unknown model, queue full); after this returns, failures arrive as events
     */
    Generation generate(GenerationRequest request, GenerationListener listener);

    /**
     * Embeds each input; one vector per input, in order.
     *
     * @param model null means the engine's default model
     * @throws EngineException UNSUPPORTED where the model has no pooling, or as for generate
     */
    Embeddings embed(String model, List<String> inputs);

    /**
     * The prompt a chat request renders to with the model's chat template, as llama-server's
     * {@code POST /apply-template} answers it (the request's messages, tools and template kwargs).
     *
     * @throws EngineException INVALID_REQUEST when the template refuses the conversation; UNSUPPORTED
     *     where the engine renders no templates of its own (the remote engines)
     */
    default String applyTemplate(GenerationRequest chatRequest) {
        throw new EngineException(EngineException.Kind.UNSUPPORTED,
                "the " + kind() + " engine renders chat templates on its own server; this node cannot show its prompts", null);
    }

    /** The models this engine serves now. */
    List<ModelInfo> models();

    /** Answers within 500 ms and never throws. */
    Health health();

    /**
     * Serving gauges, where the engine schedules its own sequences (the in-process engine);
     * empty for engines that delegate to another server. Answers at once, from any thread.
     */
    default Optional<EngineStats> stats() {
        return Optional.empty();
    }

    /** Stops the engine; running generations end with {@code Done(CANCEL)}. */
    @Override
    void close();
}
