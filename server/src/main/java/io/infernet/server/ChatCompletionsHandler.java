package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;

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
        ObjectNode body = responder.readBody(req);
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
        public ObjectNode opening(Ids ids) {
            ObjectNode delta = Json.object();
            delta.put("role", "assistant");
            delta.put("content", "");
            return choiceChunk(ids, delta, null);
        }

        @Override
        public ObjectNode delta(Ids ids, String text) {
            ObjectNode delta = Json.object();
            delta.put("content", text);
            return choiceChunk(ids, delta, null);
        }

        @Override
        public ObjectNode finish(Ids ids, FinishReason reason) {
            return choiceChunk(ids, Json.object(), ResponseFormat.finishReason(reason));
        }

        private ObjectNode choiceChunk(Ids ids, ObjectNode delta, String finishReason) {
            ObjectNode c = chunk(ids);
            ObjectNode choice = c.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            if (ids.includeUsage()) {
                c.putNull("usage");
            }
            return c;
        }

        @Override
        public ObjectNode complete(Ids ids, String text, FinishReason reason, Usage usage) {
            ObjectNode o = Json.object();
            o.put("id", ids.id());
            o.put("object", "chat.completion");
            o.put("created", ids.created());
            o.put("model", ids.model());
            ObjectNode choice = o.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            choice.putNull("logprobs");
            choice.put("finish_reason", ResponseFormat.finishReason(reason));
            o.set("usage", ResponseFormat.usage(usage));
            return o;
        }
    }
}
