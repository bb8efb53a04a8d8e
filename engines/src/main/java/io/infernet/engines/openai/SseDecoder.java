package io.infernet.engines.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.infernet.engines.DecodingOptions;
import io.infernet.engines.FinishReason;
import io.infernet.engines.TokenLogprob;
import io.infernet.engines.Usage;
import io.infernet.engines.remote.ErrorBody;
import io.infernet.engines.Json;
import io.infernet.engines.remote.StreamChunk;
import io.infernet.engines.remote.StreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an OpenAI-style server-sent-event stream of chat or text completion chunks.
 * Each {@code data:} line holds one JSON chunk (vLLM and llama-server never split one over
 * several lines); {@code data: [DONE]} ends the stream; comments ({@code :} pings), blank lines
 * and {@code event:}/{@code id:}/{@code retry:} lines carry nothing. A chunk with an
 * {@code error} object (how both servers report a failure after the headers) fails the stream.
 */
public final class SseDecoder implements StreamDecoder {

    private final boolean chat;
    private final int topLogprobs;

    /** @param chat chat chunks ({@code choices[i].delta.content}) or text ({@code choices[i].text}) */
    public SseDecoder(boolean chat) {
        this(chat, DecodingOptions.MAX_TOP_LOGPROBS);
    }

    /** @param topLogprobs alternatives per token to keep (a server may send more than were asked for) */
    public SseDecoder(boolean chat, int topLogprobs) {
        this.chat = chat;
        this.topLogprobs = topLogprobs;
    }

    @Override
    public List<StreamChunk> decode(String line) {
        if (!line.startsWith("data:")) {
            return List.of();
        }
        String payload = line.substring(5).strip();
        if (payload.equals("[DONE]")) {
            return List.of(new StreamChunk.End());
        }
        JsonNode n = Json.tryParse(payload).orElseThrow(() -> new IllegalArgumentException("a data line that is not JSON"));
        if (!n.isObject()) {
            throw new IllegalArgumentException("a data line that is not a JSON object");
        }
        if (n.hasNonNull("error")) {
            return List.of(new StreamChunk.Failed(ErrorBody.parse(payload).message()));
        }
        List<StreamChunk> out = new ArrayList<>(3);
        JsonNode choices = n.get("choices");
        if (choices != null && choices.isArray()) {
            for (JsonNode c : choices) {
                int index = c.path("index").asInt(0);
                JsonNode delta = c.get("delta");
                if (chat) {
                    String reasoning = Json.text(delta, "reasoning_content");
                    if (reasoning == null) {
                        reasoning = Json.text(delta, "reasoning"); // newer vLLM
                    }
                    if (reasoning != null && !reasoning.isEmpty()) {
                        out.add(new StreamChunk.Reasoning(reasoning, index));
                    }
                }
                String text = chat ? Json.text(delta, "content") : Json.text(c, "text");
                List<TokenLogprob> lps = logprobs(c.get("logprobs"), topLogprobs);
                String t = text == null ? "" : text;
                if (!t.isEmpty() || !lps.isEmpty()) {
                    out.add(new StreamChunk.Text(t, index, lps.isEmpty() ? null : lps.getFirst()));
                    for (int i = 1; i < lps.size(); i++) {
                        out.add(new StreamChunk.Text("", index, lps.get(i)));
                    }
                }
                if (chat && delta != null && delta.path("tool_calls").isArray()) {
                    int i = 0;
                    for (JsonNode call : delta.get("tool_calls")) {
                        JsonNode fn = call.path("function");
                        out.add(new StreamChunk.ToolCallPiece(call.path("index").asInt(i), Json.text(call, "id"), Json.text(fn, "name"),
                                Json.text(fn, "arguments"), index));
                        i++;
                    }
                }
                String reason = Json.text(c, "finish_reason");
                if (reason != null) {
                    StreamChunk f = finish(reason);
                    out.add(f instanceof StreamChunk.Finish fin ? new StreamChunk.Finish(fin.reason(), index) : f);
                }
            }
        }
        usage(n).ifPresent(u -> out.add(new StreamChunk.Counts(u)));
        return out;
    }

    /**
     * A choice's {@code logprobs}: the chat shape ({@code content: [{token, logprob, bytes,
     * top_logprobs: [...]}]}, which llama-server also uses for text completions) or the legacy text
     * completion shape ({@code tokens}, {@code token_logprobs}, {@code top_logprobs: [{token: logprob}]}).
     */
    static List<TokenLogprob> logprobs(JsonNode lp, int keep) {
        if (lp == null || !lp.isObject()) {
            return List.of();
        }
        List<TokenLogprob> out = new ArrayList<>();
        JsonNode content = lp.get("content");
        if (content != null && content.isArray()) {
            for (JsonNode e : content) {
                List<TokenLogprob.Alternative> top = new ArrayList<>();
                for (JsonNode a : e.path("top_logprobs")) {
                    top.add(new TokenLogprob.Alternative(a.path("token").asText(""), bytes(a.get("bytes")), a.path("logprob").asDouble()));
                }
                out.add(new TokenLogprob(e.path("token").asText(""), bytes(e.get("bytes")), e.path("logprob").asDouble(),
                        top.subList(0, Math.min(keep, top.size()))));
            }
            return out;
        }
        JsonNode tokens = lp.get("tokens");
        if (tokens != null && tokens.isArray()) {
            for (int i = 0; i < tokens.size(); i++) {
                List<TokenLogprob.Alternative> top = new ArrayList<>();
                JsonNode alts = lp.path("top_logprobs").path(i);
                alts.properties().forEach(a -> top.add(new TokenLogprob.Alternative(a.getKey(), null, a.getValue().asDouble())));
                top.sort((x, y) -> Double.compare(y.logprob(), x.logprob()));
                out.add(new TokenLogprob(tokens.get(i).asText(""), null, lp.path("token_logprobs").path(i).asDouble(),
                        top.subList(0, Math.min(keep, top.size()))));
            }
        }
        return out;
    }

    private static byte[] bytes(JsonNode b) {
        if (b == null || !b.isArray()) {
            return null;
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) b.get(i).asInt();
        }
        return out;
    }

    /**
     * vLLM and llama-server: stop (end of generation or a stop string), length (max_tokens or
     * the context), abort (vLLM: the server dropped the request) and the tool and filter reasons,
     * which end a text generation as a stop does.
     */
    static StreamChunk finish(String reason) {
        return switch (reason) {
            case "length" -> new StreamChunk.Finish(FinishReason.LENGTH);
            case "tool_calls" -> new StreamChunk.Finish(FinishReason.TOOL_CALLS);
            case "abort" -> new StreamChunk.Failed("the server aborted the generation (finish_reason abort)");
            default -> new StreamChunk.Finish(FinishReason.STOP);
        };
    }

    static java.util.Optional<Usage> usage(JsonNode n) {
        JsonNode u = n.get("usage");
        if (u == null || !u.isObject()) {
            return java.util.Optional.empty();
        }
        JsonNode cached = u.path("prompt_tokens_details").path("cached_tokens");
        return java.util.Optional.of(new Usage(u.path("prompt_tokens").asInt(0), u.path("completion_tokens").asInt(0),
                cached.isNumber() ? cached.asInt() : -1));
    }
}
