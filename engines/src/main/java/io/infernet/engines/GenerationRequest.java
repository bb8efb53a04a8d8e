package io.infernet.engines;

import io.infernet.kernels.SamplingParams;
import java.util.List;
import java.util.Objects;

/**
 * One generation. Exactly one of {@code messages} (chat, formatted with the model's template)
 * and {@code prompt} (raw completion) is set.
 *
 * @param model     model name as the engine lists it; null means the engine's default model
 * @param messages  chat messages, or null for a raw prompt
 * @param prompt    raw prompt text, or null for chat
 * @param sampling  how tokens are drawn
 * @param maxTokens most tokens to generate; the generation ends with reason LENGTH there
 * @param stop      strings that end the generation (reason STOP); not included in the output
 * @param chat      tools, tool choice, template variables and reasoning handling of a chat request
 *                  ({@link ChatOptions#DEFAULT} for a raw prompt)
 * @param decoding  output format, log-probabilities, choices, tool-call constraint (the in-process engine
 *                  derives the constraint from {@code chat} when that offers tools)
 */
public record GenerationRequest(
        String model,
        List<ChatMessage> messages,
        String prompt,
        SamplingParams sampling,
        int maxTokens,
        List<String> stop,
        ChatOptions chat,
        DecodingOptions decoding) {

    public GenerationRequest {
        if ((messages == null) == (prompt == null)) {
            throw new IllegalArgumentException("exactly one of messages and prompt must be set");
        }
        messages = messages == null ? null : List.copyOf(messages);
        Objects.requireNonNull(sampling, "sampling");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        chat = chat == null ? ChatOptions.DEFAULT : chat;
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        decoding = decoding == null ? DecodingOptions.DEFAULT : decoding;
    }

    /** A request without chat options (none, or the defaults for chat) and with default decoding. */
    public GenerationRequest(String model, List<ChatMessage> messages, String prompt, SamplingParams sampling, int maxTokens, List<String> stop) {
        this(model, messages, prompt, sampling, maxTokens, stop, ChatOptions.DEFAULT, DecodingOptions.DEFAULT);
    }

    public static GenerationRequest chat(String model, List<ChatMessage> messages, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(model, messages, null, sampling, maxTokens, List.of());
    }

    public static GenerationRequest completion(String model, String prompt, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(model, null, prompt, sampling, maxTokens, List.of());
    }

    public boolean isChat() {
        return messages != null;
    }

    public GenerationRequest withStop(List<String> stopStrings) {
        return new GenerationRequest(model, messages, prompt, sampling, maxTokens, stopStrings, chat, decoding);
    }

    public GenerationRequest withModel(String m) {
        return new GenerationRequest(m, messages, prompt, sampling, maxTokens, stop, chat, decoding);
    }

    public GenerationRequest withChat(ChatOptions options) {
        return new GenerationRequest(model, messages, prompt, sampling, maxTokens, stop, options, decoding);
    }

    public GenerationRequest withDecoding(DecodingOptions d) {
        return new GenerationRequest(model, messages, prompt, sampling, maxTokens, stop, chat, d);
    }
}
