package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.TokenLogprob;
import io.infernet.engines.Usage;
import java.util.List;

/** What one generation endpoint's answers look like: the chunks of a stream and the whole body. */
interface ResponseFormat {

    /** Identity of one answer, shared by all its chunks. */
    record Ids(String id, long created, String model, boolean includeUsage) {}

    /** "chatcmpl-" or "cmpl-". */
    String idPrefix();

    /** The {@code object} of stream chunks. */
    String chunkObject();

    /** The chunk that opens choice {@code index}'s stream (chat: the assistant role), or null for none. */
    ObjectNode opening(Ids ids, int index);

    /**
     * A chunk carrying generated text of choice {@code index}, with the log-probabilities of the
     * tokens it covers (null when the request did not ask for them).
     *
     * @param offset characters of the choice's text before this chunk's (text completions' {@code text_offset})
     */
    ObjectNode delta(Ids ids, int index, String text, List<TokenLogprob> logprobs, int offset);

    /**
     * The chunks a token event of choice {@code token.index()} adds to the stream, in order; by
     * default its text as one {@link #delta}, none when it has no text. {@code logprobs} (null when
     * none are due) go with the first chunk; when there is none they stay due.
     *
     * @param offset characters of the choice's text before this token's
     */
    default List<ObjectNode> chunks(Ids ids, GenerationEvent.Token token, List<TokenLogprob> logprobs, int offset) {
        return token.text().isEmpty() ? List.of() : List.of(delta(ids, token.index(), token.text(), logprobs, offset));
    }

    /**
     * The text of a token whose chunks, with no log-probabilities due, are exactly one
     * {@link #delta} of that text; null for any other token. The stream writes those from a
     * {@link ChunkTemplate}.
     */
    default String plainText(GenerationEvent.Token token) {
        return token.text().isEmpty() ? null : token.text();
    }

    /** The last chunk of choice {@code index}, carrying its finish reason. */
    ObjectNode finish(Ids ids, int index, FinishReason reason);

    /**
     * The whole non-streamed answer: every choice of {@code done}, each with the log-probabilities of
     * its tokens ({@code logprobs.get(index)}; null when the request did not ask for them).
     */
    ObjectNode complete(Ids ids, GenerationEvent.Done done, List<List<TokenLogprob>> logprobs);

    /** A chunk's common fields; with include_usage every chunk but the last has {@code "usage": null}. */
    default ObjectNode chunk(Ids ids) {
        ObjectNode c = Json.object();
        c.put("id", ids.id());
        c.put("object", chunkObject());
        c.put("created", ids.created());
        c.put("model", ids.model());
        return c;
    }

    /** The extra last chunk of include_usage: no choices, the usage. */
    default ObjectNode usageChunk(Ids ids, Usage usage) {
        ObjectNode c = chunk(ids);
        c.putArray("choices");
        c.set("usage", usage(usage));
        return c;
    }

    static ObjectNode usage(Usage u) {
        ObjectNode o = Json.object();
        o.put("prompt_tokens", u.promptTokens());
        o.put("completion_tokens", u.completionTokens());
        o.put("total_tokens", u.totalTokens());
        if (u.cachedTokens() >= 0) {
            o.putObject("prompt_tokens_details").put("cached_tokens", u.cachedTokens());
        }
        return o;
    }

    /** The wire name of a normal end: "stop", "length" or "tool_calls". */
    static String finishReason(FinishReason r) {
        if (r == FinishReason.CANCEL) {
            throw new IllegalArgumentException("a cancelled generation has no OpenAI finish_reason");
        }
        return r.wireName();
    }
}
