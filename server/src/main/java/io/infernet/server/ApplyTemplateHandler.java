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
 * The body is read as a generation's ({@link GenerationResponder#readBody}: JSON only, bounded by
 * the served context), and the model may be named by an alias.
 */
final class ApplyTemplateHandler implements Handler {

    private final Engine engine;
    private final GenerationResponder responder;

    ApplyTemplateHandler(Engine engine, GenerationResponder responder) {
        this.engine = engine;
        this.responder = responder;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        ObjectNode body = responder.readBody(req);
        Params p = new Params(body);
        String model = responder.resolve(p.string("model").filter(m -> !m.isEmpty()).orElse(null)).engineModel();
        GenerationRequest chat = GenerationRequest.chat(model, RequestParser.messages(p), SamplingParams.defaults(), 1)
                .withChat(RequestParser.chatOptions(body));
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
