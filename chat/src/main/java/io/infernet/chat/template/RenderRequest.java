package io.infernet.chat.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import io.infernet.chat.template.jinja.Limits;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One conversation to render, as an OpenAI chat request carries it.
 *
 * @param messages            the {@code messages} array: {@code role}, {@code content} (a string, null, or text parts),
 *                            assistant {@code tool_calls} (arguments as a JSON string or an object), tool messages'
 *                            {@code tool_call_id} and {@code name}, {@code reasoning_content}
 * @param tools               the {@code tools} array of function tools, or null for none
 * @param addGenerationPrompt whether to open the assistant's turn at the end
 * @param bosToken            the model's BOS token text ({@code bos_token} of the template), "" if it has none
 * @param eosToken            the model's EOS token text
 * @param tokenizerAddsBos    the tokenizer adds BOS itself (GGUF {@code tokenizer.ggml.add_bos_token}): a BOS the
 *                            template writes at the start is removed, as llama-server does, so that it is not doubled
 * @param tokenizerAddsEos    likewise for an EOS at the end
 * @param enableThinking      {@code enable_thinking} for templates that read it (a {@code kwargs} entry of that name wins)
 * @param kwargs              extra template variables ({@code chat_template_kwargs}), set last, so they override
 *                            everything else of the same name; by default {@code preserve_reasoning: true}, as llama-server
 * @param clock               the time {@code strftime_now} and the {@code date_string} and {@code datetime} variables show, in
 *                            the clock's zone
 * @param limits              bounds on the render
 */
public record RenderRequest(JsonNode messages, JsonNode tools, boolean addGenerationPrompt, String bosToken, String eosToken,
                            boolean tokenizerAddsBos, boolean tokenizerAddsEos, boolean enableThinking, Map<String, JsonNode> kwargs,
                            Clock clock, Limits limits) {

    /** What llama-server puts in {@code chat_template_kwargs} unless told otherwise. */
    public static final Map<String, JsonNode> DEFAULT_KWARGS = Map.of("preserve_reasoning", BooleanNode.TRUE);

    public RenderRequest {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(bosToken, "bosToken");
        Objects.requireNonNull(eosToken, "eosToken");
        kwargs = Map.copyOf(kwargs);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
    }

    /** These messages, no tools, a generation prompt, no BOS or EOS, thinking on, llama-server's default kwargs, the system clock. */
    public static RenderRequest of(JsonNode messages) {
        return new RenderRequest(messages, null, true, "", "", false, false, true, DEFAULT_KWARGS, Clock.systemDefaultZone(), Limits.DEFAULT);
    }

    public RenderRequest withTools(JsonNode tools) {
        return new RenderRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enableThinking,
                kwargs, clock, limits);
    }

    public RenderRequest withGenerationPrompt(boolean add) {
        return new RenderRequest(messages, tools, add, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enableThinking, kwargs, clock,
                limits);
    }

    /** The model's special tokens and whether its tokenizer adds them. */
    public RenderRequest withTokens(String bos, String eos, boolean addsBos, boolean addsEos) {
        return new RenderRequest(messages, tools, addGenerationPrompt, bos, eos, addsBos, addsEos, enableThinking, kwargs, clock, limits);
    }

    public RenderRequest withEnableThinking(boolean enable) {
        return new RenderRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enable, kwargs,
                clock, limits);
    }

    /** These kwargs on top of the current ones (a client's {@code chat_template_kwargs} over the server's defaults). */
    public RenderRequest withKwargs(Map<String, JsonNode> more) {
        Map<String, JsonNode> merged = new LinkedHashMap<>(kwargs);
        merged.putAll(more);
        return new RenderRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enableThinking,
                merged, clock, limits);
    }

    public RenderRequest withClock(Clock c) {
        return new RenderRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enableThinking,
                kwargs, c, limits);
    }

    public RenderRequest withLimits(Limits l) {
        return new RenderRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, tokenizerAddsBos, tokenizerAddsEos, enableThinking,
                kwargs, clock, l);
    }
}
