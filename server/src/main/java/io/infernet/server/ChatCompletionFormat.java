package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.chat.parse.ChatDelta;
import io.infernet.chat.parse.ParsedMessage;
import io.infernet.chat.parse.ToolCall;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/** The answers of {@code POST /v1/chat/completions}: {@code chat.completion} and {@code chat.completion.chunk}. */
final class ChatCompletionFormat implements ResponseFormat {
    static final ChatCompletionFormat INSTANCE = new ChatCompletionFormat();

    @Override
    public String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    public String chunkObject() {
        return "chat.completion.chunk";
    }

    @Override
    public ObjectNode opening(Ids ids, int index) {
        ObjectNode delta = Json.object();
        delta.put("role", "assistant");
        delta.put("content", "");
        return choiceChunk(ids, index, delta, null, null);
    }

    @Override
    public ObjectNode delta(Ids ids, int index, String text, List<TokenLogprob> logprobs, int offset) {
        ObjectNode delta = Json.object();
        delta.put("content", text);
        return choiceChunk(ids, index, delta, logprobs, null);
    }

    @Override
    public ObjectNode finish(Ids ids, int index, FinishReason reason) {
        return choiceChunk(ids, index, Json.object(), null, ResponseFormat.finishReason(reason));
    }

    private ObjectNode choiceChunk(Ids ids, int index, ObjectNode delta, List<TokenLogprob> logprobs, String finishReason) {
        ObjectNode c = chunk(ids);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        if (logprobs == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", Logprobs.chat(logprobs));
        }
        choice.put("finish_reason", finishReason);
        if (ids.includeUsage()) {
            c.putNull("usage");
        }
        return c;
    }

    @Override
    public String plainText(GenerationEvent.Token token) {
        return token.deltas().size() == 1 && token.deltas().getFirst() instanceof ChatDelta.Content c ? c.text() : null;
    }

    /**
     * One chunk per delta of the token's choice: {@code content}, {@code reasoning_content}, or one
     * {@code tool_calls} entry; a call's end sends nothing. The log-probabilities due go with the first.
     */
    @Override
    public List<ObjectNode> chunks(Ids ids, GenerationEvent.Token token, List<TokenLogprob> logprobs, int offset) {
        List<ObjectNode> out = new ArrayList<>(token.deltas().size());
        for (ChatDelta d : token.deltas()) {
            ObjectNode delta = Json.object();
            switch (d) {
                case ChatDelta.Content c -> delta.put("content", c.text());
                case ChatDelta.Reasoning r -> delta.put("reasoning_content", r.text());
                case ChatDelta.ToolCallDelta t -> {
                    ObjectNode call = delta.putArray("tool_calls").addObject();
                    call.put("index", t.index());
                    if (t.first()) {
                        call.put("id", t.id());
                        call.put("type", "function");
                    }
                    ObjectNode fn = call.putObject("function");
                    if (t.first()) {
                        fn.put("name", t.name());
                    }
                    fn.put("arguments", t.arguments());
                }
                case ChatDelta.ToolCallEnd e -> {
                    continue;
                }
            }
            out.add(choiceChunk(ids, token.index(), delta, out.isEmpty() ? logprobs : null, null));
        }
        return out;
    }

    @Override
    public ObjectNode complete(Ids ids, GenerationEvent.Done done, List<List<TokenLogprob>> logprobs) {
        ObjectNode o = Json.object();
        o.put("id", ids.id());
        o.put("object", "chat.completion");
        o.put("created", ids.created());
        o.put("model", ids.model());
        ArrayNode choices = o.putArray("choices");
        for (GenerationEvent.Choice c : done.choices()) {
            ObjectNode choice = choices.addObject();
            choice.put("index", c.index());
            choice.set("message", message(c.message()));
            List<TokenLogprob> lp = logprobs.get(c.index());
            if (lp == null) {
                choice.putNull("logprobs");
            } else {
                choice.set("logprobs", Logprobs.chat(lp));
            }
            choice.put("finish_reason", ResponseFormat.finishReason(c.reason()));
        }
        o.set("usage", ResponseFormat.usage(done.usage()));
        return o;
    }

    /**
     * {@code {role, content, reasoning_content?, tool_calls?}}: content is null when the answer
     * is only tool calls; a call's arguments are a JSON string.
     */
    static ObjectNode message(ParsedMessage m) {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        if (m.content().isEmpty() && m.hasToolCalls()) {
            message.putNull("content");
        } else {
            message.put("content", m.content());
        }
        if (!m.reasoningContent().isEmpty()) {
            message.put("reasoning_content", m.reasoningContent());
        }
        if (m.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject();
                call.put("id", c.id());
                call.put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
            }
        }
        return message;
    }
}
