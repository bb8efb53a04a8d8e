package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.TokenLogprob;
import java.util.List;

/** The answers of {@code POST /v1/completions}, legacy text completions (one prompt, raw, no chat template): {@code text_completion}, streamed and whole. */
final class TextCompletionFormat implements ResponseFormat {
    static final TextCompletionFormat INSTANCE = new TextCompletionFormat();

    @Override
    public String idPrefix() {
        return "cmpl-";
    }

    @Override
    public String chunkObject() {
        return "text_completion";
    }

    @Override
    public ObjectNode opening(Ids ids, int index) {
        return null;
    }

    @Override
    public ObjectNode delta(Ids ids, int index, String text, List<TokenLogprob> logprobs, int offset) {
        return choiceChunk(ids, index, text, logprobs == null ? null : Logprobs.legacy(logprobs, offset), null);
    }

    @Override
    public ObjectNode finish(Ids ids, int index, FinishReason reason) {
        return choiceChunk(ids, index, "", null, ResponseFormat.finishReason(reason));
    }

    private ObjectNode choiceChunk(Ids ids, int index, String text, ObjectNode logprobs, String finishReason) {
        ObjectNode c = chunk(ids);
        choice(c.putArray("choices"), index, text, logprobs, finishReason);
        if (ids.includeUsage()) {
            c.putNull("usage");
        }
        return c;
    }

    private static void choice(ArrayNode choices, int index, String text, ObjectNode logprobs, String finishReason) {
        ObjectNode choice = choices.addObject();
        choice.put("text", text);
        choice.put("index", index);
        if (logprobs == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", logprobs);
        }
        choice.put("finish_reason", finishReason);
    }

    @Override
    public ObjectNode complete(Ids ids, GenerationEvent.Done done, List<List<TokenLogprob>> logprobs) {
        ObjectNode o = chunk(ids);
        ArrayNode choices = o.putArray("choices");
        for (GenerationEvent.Choice c : done.choices()) {
            List<TokenLogprob> lp = logprobs.get(c.index());
            choice(choices, c.index(), c.text(), lp == null ? null : Logprobs.legacy(lp, 0), ResponseFormat.finishReason(c.reason()));
        }
        o.set("usage", ResponseFormat.usage(done.usage()));
        return o;
    }
}
