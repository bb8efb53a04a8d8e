package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
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

    /** The chunk that opens a stream (chat: the assistant role), or null for none. */
    ObjectNode opening(Ids ids);

    /** A chunk carrying generated text. */
    ObjectNode delta(Ids ids, String text);

    /** The chunks a token event adds to the stream, in order (by default its text, when there is some). */
    default List<ObjectNode> chunks(Ids ids, GenerationEvent.Token token) {
        return token.text().isEmpty() ? List.of() : List.of(delta(ids, token.text()));
    }

    /** The last chunk with choices, carrying the finish reason. */
    ObjectNode finish(Ids ids, FinishReason reason);

    /** The whole non-streamed answer. */
    ObjectNode complete(Ids ids, GenerationEvent.Done done);

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
