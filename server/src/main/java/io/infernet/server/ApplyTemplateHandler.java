package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.Engine;
import io.infernet.engines.EngineException;
import io.infernet.engines.GenerationRequest;
import io.infernet.kernels.SamplingParams;

/**
 * {@code POST /apply-template}, as llama-server serves it: a chat body ({@code messages}, and
 * {@code tools}, {@code chat_template_kwargs} and the other chat options when wanted) in,
 * {@code {"prompt": "..."}} out: the text the model would be given, rendered with its chat template.
 */
final class ApplyTemplateHandler implements Handler {

    private final Engine engine;
    private final ServerConfig cfg;

    ApplyTemplateHandler(Engine engine, ServerConfig cfg) {
        this.engine = engine;
        this.cfg = cfg;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = RequestBody.readObject(req, cfg.maxBodyBytes());
        Params p = new Params(body);
        GenerationRequest chat = GenerationRequest.chat(p.string("model").filter(m -> !m.isEmpty()).orElse(null), RequestParser.messages(p),
                SamplingParams.defaults(), 1).withChat(RequestParser.chatOptions(body));
        String prompt;
        try {
            prompt = engine.applyTemplate(chat);
        } catch (EngineException e) {
            throw OpenAiErrors.fromEngine(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(Json.object().put("prompt", prompt)));
    }
}
