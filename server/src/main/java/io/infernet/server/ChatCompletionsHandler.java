package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infernet.engines.FinishReason;
import io.infernet.engines.GenerationEvent;
import io.infernet.engines.TokenLogprob;
import java.util.List;

/** {@code POST /v1/chat/completions}. */
final class ChatCompletionsHandler implements Handler {

    private final ServerConfig cfg;
    private final GenerationResponder responder;

    ChatCompletionsHandler(ServerConfig cfg, GenerationResponder responder) {
        this.cfg = cfg;
        this.responder = responder;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = RequestBody.readObject(req, cfg.maxBodyBytes());
        responder.respond(res, RequestParser.chat(body, cfg), Format.INSTANCE);
    }

    /** {@code chat.completion} and {@code chat.completion.chunk}. */
    static final class Format implements ResponseFormat {
        static final Format INSTANCE = new Format();

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
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", c.text());
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
    }
}
