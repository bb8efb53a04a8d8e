package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.FinishReason;
import io.infernet.engines.Usage;

/** {@code POST /v1/completions}: legacy text completions, one prompt, raw (no chat template). */
final class CompletionsHandler implements Handler {

    private final ServerConfig cfg;
    private final GenerationResponder responder;

    CompletionsHandler(ServerConfig cfg, GenerationResponder responder) {
        this.cfg = cfg;
        this.responder = responder;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = responder.readBody(req);
        responder.respond(res, RequestParser.completion(body, cfg), Format.INSTANCE);
    }

    /** {@code text_completion}, streamed and whole. */
    static final class Format implements ResponseFormat {
        static final Format INSTANCE = new Format();

        @Override
        public String idPrefix() {
            return "cmpl-";
        }

        @Override
        public String chunkObject() {
            return "text_completion";
        }

        @Override
        public ObjectNode opening(Ids ids) {
            return null;
        }

        @Override
        public ObjectNode delta(Ids ids, String text) {
            return choiceChunk(ids, text, null);
        }

        @Override
        public ObjectNode finish(Ids ids, FinishReason reason) {
            return choiceChunk(ids, "", ResponseFormat.finishReason(reason));
        }

        private ObjectNode choiceChunk(Ids ids, String text, String finishReason) {
            ObjectNode c = chunk(ids);
            choice(c, text, finishReason);
            if (ids.includeUsage()) {
                c.putNull("usage");
            }
            return c;
        }

        private static void choice(ObjectNode parent, String text, String finishReason) {
            ObjectNode choice = parent.putArray("choices").addObject();
            choice.put("text", text);
            choice.put("index", 0);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
        }

        @Override
        public ObjectNode complete(Ids ids, String text, FinishReason reason, Usage usage) {
            ObjectNode o = chunk(ids);
            choice(o, text, ResponseFormat.finishReason(reason));
            o.set("usage", ResponseFormat.usage(usage));
            return o;
        }
    }
}
