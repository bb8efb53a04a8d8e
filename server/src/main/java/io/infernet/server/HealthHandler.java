package io.infernet.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.infernet.engines.Engine;
import io.infernet.engines.Health;

/** {@code GET /health}: 200 {@code {"status":"ok"}} while the engine is up, else 503 with why. Needs no API key. */
final class HealthHandler implements Handler {

    private final Engine engine;
    private final java.util.function.Supplier<String> serverWarming;

    /** @param serverWarming why the server itself is not ready yet (its HTTP warm-up), or null when it is */
    HealthHandler(Engine engine, java.util.function.Supplier<String> serverWarming) {
        this.engine = engine;
        this.serverWarming = serverWarming;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Health h = engine.health();
        String warming = serverWarming.get();
        if (h != null && h.up() && warming != null) {
            h = Health.down(warming, h.latency());
        }
        ObjectNode body = Json.object();
        if (h != null && h.up()) {
            body.put("status", "ok");
        } else {
            body.put("status", "unavailable");
            body.put("detail", h == null || h.detail() == null ? "the engine did not say" : h.detail());
            res.status(503);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }
}
